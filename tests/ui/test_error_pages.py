"""Error pages a person meets: Parley's layout, a plain sentence, a way on; machines keep JSON and text."""
from __future__ import annotations

import re

import pytest
from werkzeug.exceptions import abort

from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def app_with_faults(app):
    # Routes that fail on purpose, added before the first request, so each status is reached the way a view reaches it.
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: an unexpected error becomes the 500 page

    def boom():
        raise RuntimeError("SECRET-INTERNAL-DETAIL in /srv/parley/app.py")

    app.add_url_rule("/test-boom", "test_boom", boom)
    app.add_url_rule("/api/v1/test-boom", "test_api_boom", boom)
    app.add_url_rule("/test-too-large", "test_too_large", lambda: abort(413))
    app.add_url_rule("/test-too-many", "test_too_many", lambda: abort(429))
    return app


def ways_on(html: str) -> set[str]:
    nav = re.search(r'<nav class="error-ways".*?</nav>', html, re.S)
    assert nav, "the error page offers no way on"
    return set(re.findall(r">([^<>]+)</a>", nav.group(0)))


def assert_layout(html: str) -> None:
    assert 'class="topbar"' in html and ">Parley</a>" in html, "not in Parley's layout"
    assert 'rel="icon"' in html


def test_unknown_address_gets_a_page_with_a_way_on(client, auth):
    auth.signup()
    r = client.get("/wiki/")
    html = r.get_data(as_text=True)
    assert r.status_code == 404
    assert_layout(html)
    assert "There is nothing here" in html and "moved or deleted" in html
    assert {"Home", "Video library", "Wiki"} <= ways_on(html)


def test_anonymous_visitor_is_offered_to_log_in(client, auth):
    auth.signup()
    auth.logout()
    html = client.get("/nowhere").get_data(as_text=True)
    assert "There is nothing here" in html
    assert {"Home", "Log in"} <= ways_on(html)


def test_go_back_when_coming_from_a_parley_page(client, auth):
    auth.signup()
    html = client.get("/nowhere", headers={"Referer": "http://localhost/videos"}).get_data(as_text=True)
    assert '<a class="button" href="http://localhost/videos">Go back</a>' in html
    html = client.get("/nowhere", headers={"Referer": "https://elsewhere.example/"}).get_data(as_text=True)
    assert "Go back" not in html and "elsewhere.example" not in html


def test_missing_wiki_page_says_what_the_service_said(client, auth):
    auth.signup()
    r = client.get("/w/nope/99999")
    assert r.status_code == 404
    assert "There is nothing here" in r.get_data(as_text=True)


def test_wrong_method_keeps_allow_header(client, auth):
    auth.signup()
    r = client.get("/logout")
    assert r.status_code == 405
    assert "POST" in r.headers["Allow"]
    html = r.get_data(as_text=True)
    assert_layout(html)
    assert "That does not work here" in html


def test_a_form_without_its_token_says_how_to_recover(client, auth):
    auth.signup()
    auth.logout()
    r = client.post("/login", data={"email": "a@example.com", "password": "x"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert_layout(html)
    assert "reload the page and send it again" in html and "CSRF" in html


def test_forbidden_action_on_someone_elses_video(app, client, auth):
    owner = factories.user("owner@example.com")
    v = factories.video(owner, "Owner's demo", status="failed")
    factories.user("member@example.com")
    auth.login("member@example.com")
    r = client.post(f"/v/{v.id}/retry", data={"csrf_token": csrf_token(client)})
    html = r.get_data(as_text=True)
    assert r.status_code == 403
    assert_layout(html)
    assert "You may not do that" in html


def test_too_large_and_too_many(app_with_faults, client, auth):
    auth.signup()
    r = client.get("/test-too-large")
    assert r.status_code == 413 and "That is too large" in r.get_data(as_text=True)
    r = client.get("/test-too-many")
    assert r.status_code == 429 and "Wait a few minutes" in r.get_data(as_text=True)


def test_server_error_page_hides_the_traceback(app_with_faults, client, auth):
    auth.signup()
    r = client.get("/test-boom")
    html = r.get_data(as_text=True)
    assert r.status_code == 500
    assert_layout(html)
    assert "Something went wrong on our side" in html
    assert "Traceback" not in html and "SECRET-INTERNAL-DETAIL" not in html and "RuntimeError" not in html
    assert {"Home", "Video library"} <= ways_on(html)


def test_api_and_tus_keep_their_own_errors(app_with_faults, client, auth):
    auth.signup()
    r = client.get("/api/v1/no-such-resource")
    assert r.status_code == 404 and r.is_json and r.get_json()["error"]
    r = client.get("/api/v1/test-boom")
    assert r.status_code == 500 and r.is_json
    assert "SECRET" not in r.get_data(as_text=True)
    r = client.get("/files/not-an-upload/extra/segments")
    assert r.status_code == 404 and r.mimetype == "text/plain" and "<html" not in r.get_data(as_text=True)


def test_favicon(client):
    r = client.get("/favicon.ico", follow_redirects=True)
    assert r.status_code == 200
    assert r.mimetype == "image/svg+xml" and b"<svg" in r.data
