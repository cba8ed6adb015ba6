"""The cheap path of signed-in requests keeps every check: cookies, headers, cached users and cached wiki pages."""
from __future__ import annotations

from tests import factories
from tests.wiki.conftest import Member, make_page, make_space
from webapp.extensions import db
from webapp.models import Page
from webapp.services.wiki import pages


def test_unchanged_session_is_not_sent_again_and_a_forged_cookie_is_refused(app, client, auth):
    factories.user("reader@example.com")
    auth.login("reader@example.com")
    assert client.get("/videos").status_code == 200  # the genuine cookie is now verified and remembered
    r = client.get("/videos")
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN" and r.headers["X-Content-Type-Options"] == "nosniff"
    # The recorder may use camera, microphone and screen capture on Parley's own pages only; location never.
    policy = {name.strip(): allow for name, _, allow in
              (part.partition("=") for part in r.headers["Permissions-Policy"].split(","))}
    assert policy["camera"] == policy["microphone"] == policy["display-capture"] == "(self)"
    assert policy["geolocation"] == "()"
    assert client.get("/login").headers["Permissions-Policy"] == r.headers["Permissions-Policy"]
    genuine = client.get_cookie("session").value
    forged = genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB")
    client.set_cookie("session", forged)
    assert client.get("/videos").status_code == 302  # a bad signature is a signed-out visitor
    client.set_cookie("session", genuine)
    assert client.get("/videos").status_code == 200


def test_cached_wiki_page_follows_edits_deletion_and_demotion_on_both_stacks(stack_app):
    grace = Member(stack_app, factories.user(name="Grace", admin=True))
    space = make_space(grace.user)
    page = make_page(grace.user, space, "Runbook", "First text\n")
    url = pages.url(page)
    assert "First text" in grace.get(url).get_data(as_text=True)
    cached = grace.get(url)
    assert cached.status_code == 200 and "First text" in cached.get_data(as_text=True)
    assert stack_app.extensions["wiki_page_cache"], "the second view should have been served from the cache"
    assert "default-src 'self'" in cached.headers["Content-Security-Policy"]
    # An edit made by this signed-in user (its User row joins the request's session) shows at once.
    r = grace.post(f"/w/eng/{page.id}/edit", data={"title": "Runbook", "body": "Second text\n", "base_revision": 1})
    assert r.status_code == 302
    html = grace.get(url).get_data(as_text=True)
    assert "Second text" in html and "First text" not in html
    assert "(admin)" in grace.get(url).get_data(as_text=True).split("<main>")[0]
    # Demotion shows on the next view: the cached page is per (viewer, admin flag).
    grace.user.is_admin = False
    db.session.commit()
    assert "(admin)" not in grace.get(url).get_data(as_text=True).split("<main>")[0]
    row = db.session.get(Page, page.id)
    row.deleted_at = row.updated_at  # trashed by another process: only the database knows
    db.session.commit()
    assert grace.get(url).status_code == 404
