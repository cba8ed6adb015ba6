"""The search results page behind the header's search box: hits by kind, transcript hits at their second, counts
per kind and space, a correction for a misspelled word, and pages of results."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp import policy
from webapp.errors import Invalid
from webapp.extensions import db
from webapp.models import Space
from webapp.services import search as search_service
from webapp.services.videos import media_url

bp = Blueprint("search", __name__)

LIMIT = 50
# Section order and headings on the page (the hits inside each keep their rank).
SECTIONS = (("video", "Videos"), ("transcript", "Said in videos"), ("screen", "On screen in videos"),
            ("page", "Wiki pages"))


@bp.route("/search")
@login_required
def results():
    q = request.args.get("q", "")
    only = request.args.get("type") or None  # the filter links; `type:` words in q do the same
    cursor = request.args.get("cursor") or None
    exact = request.args.get("exact") == "1"
    try:
        words, asked = search_service.parse(q)
        found = search_service.run(current_user, q, kinds=[only] if only else None, limit=LIMIT, cursor=cursor,
                                   facets=True, exact=exact)
    except Invalid as e:  # a type it does not know, a search too long: say so, with the box still filled
        return render_template("search/results.html", q=q, words="", hits=[], sections=[], error=str(e),
                               filtering=[], filters=[], found=None, only=only, space_names={}), 400
    filtering = asked or (search_service.kinds_of([only]) if only else [])
    hits = found.hits
    sections = [(kind, label, [_shown(h) for h in hits if h.kind == kind]) for kind, label in SECTIONS]
    return render_template("search/results.html", q=q, words=words, hits=hits, error=None, filtering=filtering,
                           sections=[s for s in sections if s[2]], filters=SECTIONS, found=found, only=only,
                           space_names=_space_names(found.facets.get("space", {})), cursor=cursor)


def _space_names(counts: dict[str, int]) -> dict[str, str]:
    if not counts:
        return {}
    rows = db.session.execute(select(Space.slug, Space.name).where(
        Space.slug.in_(list(counts)), policy.visible(current_user, Space)))
    return dict(rows.all())


def _shown(hit: search_service.Hit) -> dict:
    """What one result shows: the hit, and for videos a picture (the storyboard tile at the hit's second where
    one exists, drawn by search-results.js, over the poster)."""
    thumb = storyboard = None
    storyboard_at = None
    if hit.kind in ("video", "transcript", "screen"):
        video = hit.obj
        thumb = media_url(video, video.poster_key)
        if hit.kind in ("transcript", "screen") and video.storyboard_key:
            storyboard = media_url(video, video.storyboard_key)
            # The storyboard follows the renditions' timeline, which starts at the trim they were cut with;
            # the hit's time counts from the video's current trim.
            storyboard_at = (hit.time or 0.0) + (video.trim_start or 0.0) - (video.renditions_trim_start or 0.0)
    return {"hit": hit, "thumb": thumb, "storyboard": storyboard, "storyboard_at": storyboard_at}
