"""REST API v1: one module per resource, each adding routes to this blueprint."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from webapp.api import chapters, pages, search, spaces, transcripts, videos  # noqa: E402,F401
