"""Empty places say what the person can do now, and link to it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.conftest import csrf_token
from webapp.services.wiki import spaces


def test_empty_library_offers_to_record_and_to_upload(client, auth):
    auth.signup()
    html = client.get("/videos").get_data(as_text=True)
    record = re.search(r'<button[^>]*id="empty-record"[^>]*>([^<]*)</button>', html)
    assert record and record.group(1) == "Record your screen" and "data-open-recorder" in record.group(0)
    assert re.search(r'<a [^>]*href="/upload"[^>]*>Upload a video</a>', html)


@pytest.mark.browser
def test_record_your_screen_opens_the_recorder(admin_page, live_server):
    admin_page.goto(live_server.url + "/videos")
    expect(admin_page.locator("#recorder")).to_be_hidden()
    admin_page.click("#empty-record")
    expect(admin_page.locator("#recorder")).to_be_visible()


def test_wiki_without_spaces_points_at_the_form(client, auth):
    auth.signup()
    html = client.get("/w/").get_data(as_text=True)
    assert "No spaces yet" in html
    link = re.search(r'<a href="#([^"]+)" id="empty-new-space">create the first one</a>', html)
    assert link and f'id="{link.group(1)}"' in html  # the link lands on the form's first field


def test_someone_who_may_not_create_a_space_is_told_whom_to_ask(app):
    from flask import render_template

    with app.test_request_context("/w/"):
        html = render_template("wiki/index.html", spaces=[], recent=[], can_create=False)
    assert "ask an admin to create one" in html and "empty-new-space" not in html


def test_space_without_pages_offers_the_first_page(app):
    # Every space starts with its home page, which cannot be trashed: the empty list is drawn directly.
    from flask import render_template

    owner = factories.user()
    space = spaces.create(owner, "Engineering", "eng")
    with app.test_request_context("/w/eng/-/recent"):
        editor = render_template("wiki/_recent_list.html", recent=[], space=space, can_edit=True)
        reader = render_template("wiki/_recent_list.html", recent=[], space=space, can_edit=False)
    assert "No pages in this space yet." in editor
    assert re.search(r'<a href="/w/eng/-/new" id="empty-new-page">Write the first page</a>', editor)
    assert "empty-new-page" not in reader and "once someone writes one" in reader


def test_rejected_short_name_keeps_what_was_typed(client, auth):
    auth.signup()
    client.post("/w/-/spaces", data={"name": "Engineering", "slug": "eng", "csrf_token": csrf_token(client)})
    r = client.post("/w/-/spaces", data={"name": "Engineering two", "slug": "eng", "csrf_token": csrf_token(client)},
                    follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "already exists" in html
    assert re.search(r'<input[^>]*name="name"[^>]*value="Engineering two"', html)
    assert re.search(r'<input[^>]*name="slug"[^>]*value="eng"', html)
