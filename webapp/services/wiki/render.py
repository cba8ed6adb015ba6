"""A page's HTML: rendered once per (revision, titles) and cached; video embeds filled per viewer."""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from urllib.parse import quote

from flask import current_app, has_request_context, request, url_for
from markupsafe import escape
from sqlalchemy import select

from webapp import policy
from webapp.adapters.markup import render_markdown
from webapp.extensions import db
from webapp.models import Page, Space, Video
from webapp.services.wiki.names import title_key

_CACHE_SIZE = 512
_lock = threading.Lock()
_MARKER = re.compile(r'<span class="wiki-video"([^>]*)></span>')
_ATTR = re.compile(r'data-(video-id|start|end)="([^"]*)"')


def resolver_for(space: Space):
    """[[Title]] -> the page's URL when it exists, else the URL that offers to create it."""
    rows = db.session.execute(select(Page.id, Page.title_key, Page.slug).where(
        Page.space_id == space.id, Page.deleted_at.is_(None))).all()
    by_key = {key: (pid, slug) for pid, key, slug in rows}
    root = request.script_root if has_request_context() else ""
    base = f"{root}/w/{quote(space.slug)}/"

    def resolve(title: str):
        hit = by_key.get(title_key(title))
        if hit:
            return f"{base}{hit[0]}-{quote(hit[1])}", True
        return f"{base}-/title/{quote(title, safe='')}", False

    return resolve


def render_text(space: Space, body: str) -> str:
    """Markdown of a page in a space (preview, revisions): not cached."""
    return render_markdown(body, wikilinks=resolver_for(space), with_toc=True)


def _cache() -> OrderedDict:
    # One cache per app (and so per database); each gunicorn worker process holds its own.
    cache = current_app.extensions.get("wiki_html_cache")
    if cache is None:
        with _lock:
            cache = current_app.extensions.setdefault("wiki_html_cache", OrderedDict())
    return cache


def cached_html(page: Page) -> str:
    """The sanitized HTML of the page's current revision, before per-viewer video embeds."""
    key = (page.id, page.revision, page.space_id, page.space.titles_epoch, page.space.slug)
    cache = _cache()
    with _lock:
        html = cache.get(key)
        if html is not None:
            cache.move_to_end(key)
            return html
    html = render_text(page.space, page.body)
    with _lock:
        cache[key] = html
        while len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
    return html


def page_html(page: Page, viewer) -> str:
    return embed_videos(cached_html(page), viewer)


def embed_videos(html: str, viewer) -> str:
    """Replace each video marker by a player when the viewer may watch the video, else a placeholder."""
    markers = list(_MARKER.finditer(html))
    if not markers:
        return html
    from webapp.services import videos  # playback URLs

    ids = {dict(_ATTR.findall(m.group(1))).get("video-id") for m in markers} - {None}
    found = {v.id: v for v in db.session.query(Video).filter(Video.id.in_(ids)).all()} if ids else {}

    def replace(m):
        attrs = dict(_ATTR.findall(m.group(1)))
        video = found.get(attrs.get("video-id", ""))
        start = int(attrs["start"]) if attrs.get("start", "").isdigit() else None
        end = int(attrs["end"]) if attrs.get("end", "").isdigit() else None
        if video is None or not policy.can(viewer, policy.VIEW, video):
            return '<span class="wiki-video-embed unavailable">Video unavailable</span>'
        return _player(video, start, end, videos.playback(video))

    return _MARKER.sub(replace, html)


def _clock(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _player(video: Video, start: int | None, end: int | None, playback: dict) -> str:
    watch = url_for("videos.watch", video_id=video.id)
    at = f"{watch}?t={start}" if start is not None else watch
    moment = ""
    if start is not None:
        moment = " · " + _clock(start) + (f"–{_clock(end)}" if end is not None else "")
    caption = f'<a href="{escape(at)}">{escape(video.title)}</a>{escape(moment)}'
    src = playback.get("mp4") or playback.get("original")
    if not src:
        return (f'<span class="wiki-video-embed processing" data-video-id="{escape(video.id)}">'
                f'This video is not ready yet. {caption}</span>')
    fragment = ""
    if start is not None:
        fragment = f"#t={start}" + (f",{end}" if end is not None else "")
    poster = f' poster="{escape(playback["poster"])}"' if playback.get("poster") else ""
    data = f' data-video-id="{escape(video.id)}" data-watch-url="{escape(watch)}"'
    if start is not None:
        data += f' data-start="{start}"'
    if end is not None:
        data += f' data-end="{end}"'
    return (f'<span class="wiki-video-embed"><video controls preload="metadata" playsinline'
            f' src="{escape(src + fragment)}"{poster}{data}></video>'
            f'<span class="wiki-video-caption">{caption}</span></span>')

