"""Uploads: the tus 1.0 server (resumable) and a plain multipart form POST."""
from flask import Blueprint

bp = Blueprint("uploads", __name__)
