"""Real Chromium: the browser's copy of a wiki draft is spent once the draft is published or discarded."""
from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import PASSWORD
from webapp.services.wiki import spaces

pytestmark = pytest.mark.browser

LOCAL_NOTICE = "This browser kept unpublished text"


@pytest.fixture
def editor(browser, live_server, app):
    user = factories.user("writer@example.com", name="Wren")
    spaces.create(user, "Engineering", "eng")
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.goto(live_server.url + "/login")
    pg.fill('input[name="email"]', user.email)
    pg.fill('input[name="password"]', PASSWORD)
    pg.click('button[type="submit"]')
    pg.wait_for_url(lambda url: "/login" not in url)
    yield pg, live_server.url + "/w/eng/-/new"
    ctx.close()


def _type_new_page(pg, url, title, body):
    pg.goto(url)
    pg.fill('input[name="title"]', title)
    pg.fill('textarea[name="body"]', body)
    pg.wait_for_function("() => (localStorage.getItem('parley-draft:eng:new') || '').includes('Wren')")


def test_publishing_spends_the_browser_copy(editor):
    pg, new_url = editor
    _type_new_page(pg, new_url, "Runbook", "Wren wrote the first steps.")
    with pg.expect_navigation():
        pg.click("form#wiki-editor button[type=submit]")
    assert "Wren wrote the first steps." in pg.locator("#wiki-content").inner_text()
    pg.goto(new_url)
    assert pg.locator('textarea[name="body"]').input_value() == ""
    assert pg.get_by_text(LOCAL_NOTICE).count() == 0
    assert pg.get_by_text("You have an unpublished draft").count() == 0
    assert pg.evaluate("() => localStorage.getItem('parley-draft:eng:new')") is None


def test_a_refused_publish_keeps_the_copy(editor):
    pg, new_url = editor
    _type_new_page(pg, new_url, "Runbook", "Wren wrote the first steps.")
    pg.fill('input[name="title"]', "   ")  # the server refuses a blank title and sends the editor back
    pg.evaluate("() => document.querySelector('input[name=title]').removeAttribute('required')")
    with pg.expect_navigation():
        pg.click("form#wiki-editor button[type=submit]")
    assert pg.locator('textarea[name="body"]').input_value() == "Wren wrote the first steps."
    assert "Wren wrote" in (pg.evaluate("() => localStorage.getItem('parley-draft:eng:new')") or "")


def test_discarding_spends_both_copies(editor):
    pg, new_url = editor
    _type_new_page(pg, new_url, "Runbook", "Wren wrote the first steps.")
    pg.wait_for_selector(".wiki-save-state:text('Draft saved')")
    pg.goto(new_url)  # the server's draft is offered (the browser's copy waits behind it)
    notice = pg.locator(".wiki-draft-notice")
    assert "You have an unpublished draft" in notice.inner_text()
    notice.get_by_role("button", name="Discard it").click()
    pg.wait_for_selector(".wiki-save-state:text('Draft discarded')")
    pg.goto(new_url)
    assert pg.get_by_text("You have an unpublished draft").count() == 0
    assert pg.get_by_text(LOCAL_NOTICE).count() == 0
    assert pg.evaluate("() => localStorage.getItem('parley-draft:eng:new')") is None
