"""/api/v1/search: the one search (pages, videos, what was said in them), as the viewer may see it."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user, login_required
from markupsafe import escape

from webapp.api import bp
from webapp.api.common import int_arg
from webapp.services import search


def snippet_html(parts: list[tuple[str, bool]]) -> str:
    """The excerpt as HTML: every character escaped, the matches in <mark> (safe to insert as markup)."""
    return "".join(f"<mark>{escape(t)}</mark>" if match else str(escape(t)) for t, match in parts)


def as_json(hit: search.Hit) -> dict:
    out = {"kind": hit.kind, "id": hit.id, "title": hit.title, "url": hit.url, "score": round(hit.score, 4),
           "snippet": snippet_html(hit.parts), "snippet_text": "".join(t for t, _ in hit.parts)}
    if hit.kind in ("transcript", "screen"):
        out["time"] = round(hit.time or 0.0, 3)  # seconds in the video as it plays (after its trim)
    return out


@bp.route("/search", methods=["GET"], endpoint="search")
@login_required
def search_everything():
    q = request.args.get("q", "")
    kinds = [k for k in request.args.get("type", "").split(",") if k.strip()] or None
    limit = int_arg("limit", 20, 1, 100)
    hits = search.search(current_user, q, kinds=kinds, limit=limit)  # Invalid (unknown type, too long): 400
    words, asked = search.parse(q)
    return jsonify(results=[as_json(h) for h in hits], count=len(hits), query=words,
                   types=asked or (search.kinds_of(kinds) if kinds else list(search.KINDS)))
