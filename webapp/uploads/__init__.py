"""Uploads: the tus 1.0 server (resumable, under /files/) and a plain multipart form POST (/upload)."""
from flask import Blueprint

from webapp.errors import ServiceError, status_of
from webapp.extensions import db

bp = Blueprint("uploads", __name__)

from webapp.uploads import form, tus  # noqa: E402  (each adds its routes to bp)


@bp.errorhandler(ServiceError)
def _service_error(e: ServiceError):
    """The blueprint's one error handler: tus clients get text, the form a page or JSON, as each expects."""
    db.session.rollback()
    if tus.is_tus():
        return tus.error(status_of(e), str(e))
    return form.error_response(str(e), status_of(e))
