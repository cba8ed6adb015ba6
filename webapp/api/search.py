"""/api/v1/search: the one search (pages, videos, what was said and shown in them), as the viewer may see it, and
/api/v1/search/suggest for search-as-you-type."""
from __future__ import annotations

from dataclasses import asdict

from flask import jsonify, request
from flask_login import current_user, login_required
from markupsafe import escape

from webapp.api import bp
from webapp.api.common import int_arg
from webapp.services import search
from webapp.services.search import suggestions


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
    exact = request.args.get("exact", "") in ("1", "true")
    # Invalid (unknown type, too long, a cursor of another search, a bad query word): 400 with the sentence.
    found = search.run(current_user, q, kinds=kinds, limit=limit, cursor=request.args.get("cursor") or None,
                       facets=True, exact=exact)
    _, asked = search.parse(q)
    return jsonify(results=[as_json(h) for h in found.hits], count=len(found.hits), total=found.total,
                   next_cursor=found.next_cursor, facets=found.facets, query=found.words,
                   corrected_query=found.corrected,
                   types=asked or (search.kinds_of(kinds) if kinds else list(search.KINDS)))


@bp.route("/search/suggest", methods=["GET"], endpoint="search_suggest")
@login_required
def suggest():
    q = request.args.get("q", "")
    return jsonify(query=q.strip(), suggestions=[asdict(s) for s in suggestions.suggest(current_user, q)])
