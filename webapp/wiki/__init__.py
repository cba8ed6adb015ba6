"""The wiki's HTML views (blueprint `bp`, under /w): spaces, pages, the editor, history."""
from flask import Blueprint

bp = Blueprint("wiki", __name__, url_prefix="/w")

from webapp.wiki import editor_views, page_views, space_views  # noqa: E402,F401
