"""Uploads: the tus 1.0 server (resumable, under /files/) and a plain multipart form POST (/upload)."""
from flask import Blueprint

bp = Blueprint("uploads", __name__)

from webapp.uploads import form, tus  # noqa: E402,F401  (each adds its routes to bp)
