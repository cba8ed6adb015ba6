"""The pages a member may open never show what the policy hides: lists, templates, pickers, citations, search, and
the whole-page cache all ask the same policy."""
from __future__ import annotations

from tests.policy.conftest import SECRET
from tests.policy.test_url_map import World
from tests.wiki.conftest import Member
from webapp import policy
from webapp.extensions import db
from webapp.services import search
from webapp.services.search import indexer
from webapp.services.wiki import pages


def test_pages_a_member_may_open_do_not_list_hidden_things(app, hidden_space):
    world = World()
    other = Member(app, world.other)
    open_page = pages.by_title(world.open, "Open page")
    urls = ["/w/", "/w/open/-/new", "/w/open/-/recent", f"/w/open/{open_page.id}/move",
            f"/w/-/from-video/{world.team_video.id}", f"/v/{world.team_video.id}", "/videos",
            f"/w/open/{open_page.id}-{open_page.slug}"]
    for url in urls:
        r = other.get(url)
        text = r.get_data(as_text=True)
        assert r.status_code == 200, (url, r.status_code)
        assert SECRET.lower() not in text.lower(), f"{url} shows the hidden space's content to another member"
    owner = Member(app, world.owner)
    assert f"{SECRET} Template" in owner.get("/w/open/-/new").get_data(as_text=True)  # the check can fail
    assert f"{SECRET} Page" in owner.get(f"/v/{world.team_video.id}").get_data(as_text=True)


def test_search_finds_hidden_pages_only_for_those_who_may_see_them(app, hidden_space):
    world = World()
    indexer.run_once()
    assert [h.title for h in search.search(world.other, "hush words")] == []
    assert f"{SECRET} Page" in [h.title for h in search.search(world.owner, "hush words")]


def test_a_cached_page_view_is_not_served_once_the_policy_says_no(app, monkeypatch):

    world = World()
    plain = pages.create(world.owner, world.open, "Plain page", "no embeds here")
    other = Member(app, world.other)
    url = f"/w/open/{plain.id}-plain-page"
    assert other.get(url).status_code == 200
    assert other.get(url).status_code == 200  # now a cache hit
    assert len(app.extensions["wiki_page_cache"]) == 1
    rule = policy._space_rule
    monkeypatch.setattr(policy, "_space_rule", lambda principal, action, space: space.id != world.open.id and rule(
        principal, action, space))
    db.session.expire_all()
    assert other.get(url).status_code == 404


def test_a_cached_page_shows_an_embedded_video_once_it_is_ready(app):
    from tests import factories
    from webapp.services import outbox
    from webapp.services.wiki import spaces

    user = factories.user()
    video = factories.video(user, "Release demo", status="processing")
    space = spaces.create(user, "Docs", "docs")
    page = pages.create(user, space, "Release notes", f"Watch: {{{{video:{video.id}}}}}")
    viewer = Member(app, user)
    url = f"/w/docs/{page.id}-{page.slug}"
    assert "not ready yet" in viewer.get(url).get_data(as_text=True)
    assert "not ready yet" in viewer.get(url).get_data(as_text=True)  # served from the cache now
    video.status, video.mp4_key = "ready", f"renditions/{video.id}/run/video.mp4"
    outbox.announce("video.ready", f"video:{video.id}", video_id=video.id)
    db.session.commit()
    assert "not ready yet" in viewer.get(url).get_data(as_text=True)  # not delivered yet: still the cached view
    outbox.deliver_all()
    html = viewer.get(url).get_data(as_text=True)
    assert "<video" in html and "not ready yet" not in html
