"""Real Chromium: two people editing one page at once, and XSS payloads everywhere user text shows."""
from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest

from tests import factories
from tests.conftest import PASSWORD
from tests.wiki.conftest import OWN_XSS, make_page, make_space, xss_payloads
from webapp.extensions import db
from webapp.models import Page
from webapp.services.wiki import attachments, pages

pytestmark = pytest.mark.browser


def _signed_in(browser, server, user):
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.goto(server.url + "/login")
    pg.fill('input[name="email"]', user.email)
    pg.fill('input[name="password"]', PASSWORD)
    pg.click('button[type="submit"]')
    pg.wait_for_url(lambda url: "/login" not in url)
    return ctx, pg


def _publish(pg, find, replace):
    body = pg.locator('textarea[name="body"]')
    body.fill(body.input_value().replace(find, replace))
    with pg.expect_navigation():
        pg.click("form#wiki-editor button[type=submit]")


def test_two_browsers_edit_the_same_page(browser, live_server, app):
    alice, bob = factories.user(name="Alice"), factories.user(name="Bob")
    space = make_space(alice)
    page = make_page(alice, space, "Release checklist", "Build the images.\n\nRun the tests.\n\nTag the release.\n")
    edit_url = f"{live_server.url}/w/eng/{page.id}/edit"
    actx, a = _signed_in(browser, live_server, alice)
    bctx, b = _signed_in(browser, live_server, bob)
    try:
        a.goto(edit_url)
        b.goto(edit_url)
        assert "Alice is also editing this page" in b.locator(".wiki-presence").inner_text()
        # Alice publishes first; Bob, still on revision 1, changes another paragraph: merged.
        _publish(a, "Build the images.", "Build the images for amd64 and arm64.")
        _publish(b, "Tag the release.", "Tag the release and write the notes.")
        assert "your changes were merged" in b.locator(".flash").inner_text()
        content = b.locator("#wiki-content").inner_text()
        assert "amd64 and arm64" in content and "write the notes" in content
        # Both open revision 3 and rewrite the same line: Bob gets the conflict page, with both texts.
        a.goto(edit_url)
        b.goto(edit_url)
        _publish(a, "Run the tests.", "Run the unit tests.")
        _publish(b, "Run the tests.", "Run the integration tests.")
        assert b.locator("h1").inner_text() == "Edit conflict"
        assert "Run the integration tests." in b.locator("textarea.wiki-conflict-mine").input_value()
        assert "Run the unit tests." in b.locator("textarea.wiki-conflict-theirs").input_value()
        assert "<<<<<<< yours" in b.locator("textarea.wiki-conflict-merge").input_value()
        db.session.expire_all()
        assert "integration" not in db.session.get(Page, page.id).body  # nothing was overwritten
        # Merge by hand: Bob keeps both wordings.
        b.locator("textarea.wiki-conflict-merge").fill(
            "Build the images for amd64 and arm64.\n\nRun the unit and integration tests.\n\n"
            "Tag the release and write the notes.\n")
        with b.expect_navigation():
            b.click("button[value=merge]")
        assert "Run the unit and integration tests." in b.locator("#wiki-content").inner_text()
        b.goto(f"{live_server.url}/w/eng/{page.id}/history")
        assert b.locator("tbody tr").count() == 5
    finally:
        actx.close()
        bctx.close()


def test_editor_autosaves_a_draft_that_survives_reload(browser, live_server, app):
    user = factories.user(name="Alice")
    space = make_space(user)
    page = make_page(user, space, "Notes", "Start\n")
    ctx, pg = _signed_in(browser, live_server, user)
    try:
        pg.goto(f"{live_server.url}/w/eng/{page.id}/edit")
        pg.locator('textarea[name="body"]').fill("Start\n\nA thought typed **before** the tab closed.\n")
        pg.locator(".wiki-preview strong").wait_for()  # the live preview rendered the Markdown
        pg.locator(".wiki-save-state", has_text="Draft saved").wait_for()
        pg.goto(f"{live_server.url}/w/eng/{page.id}/edit")
        pg.click("[data-restore-draft]")
        assert "typed **before** the tab closed" in pg.locator('textarea[name="body"]').input_value()
    finally:
        ctx.close()


_PROBE = """() => {
  // Fire the events inline handlers would wait for, then report anything that could run script.
  for (const el of document.querySelectorAll('body *')) {
    for (const type of ['mouseover', 'mouseenter', 'focus', 'animationstart', 'toggle']) {
      try { el.dispatchEvent(new Event(type, {bubbles: true})); } catch (e) {}
    }
  }
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on')) bad.push(el.tagName + '[' + attr.name + ']');
      if (attr.name === 'style' && el.closest('.wiki-content, .wiki-tree, .wiki-files')) bad.push(el.tagName + '[style]');
      if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(attr.name)) {
        let proto = '';
        try { proto = new URL(attr.value, location.href).protocol; } catch (e) {}
        if (['javascript:', 'vbscript:', 'data:'].includes(proto)) bad.push(el.tagName + '[' + attr.name + '=' + proto + ']');
      }
    }
  }
  for (const tag of ['script', 'iframe', 'object', 'embed', 'base', 'meta[http-equiv]']) {
    for (const el of document.querySelectorAll('.wiki-main ' + tag + ', .wiki-sidebar ' + tag)) bad.push(tag);
  }
  if (window.__xss) bad.push('marker set by script');
  return bad;
}"""

MARKERS = ['<img src=x onerror="window.__xss=1">', "<svg onload=window.__xss=1>",
           "[m](javascript:window.__xss=1)", '<a href="javascript:window.__xss=1" id="h-x">m</a>']


def _watch(pg, origin, events):
    pg.on("dialog", lambda d: (events.append("dialog: " + d.message), d.dismiss()))

    def route(r):
        if urlsplit(r.request.url).netloc not in ("", urlsplit(origin).netloc) and not r.request.url.startswith(
                ("data:", "blob:", "about:")):
            events.append("request: " + r.request.url[:120])
            return r.abort()
        return r.continue_()

    pg.route("**/*", route)


def test_xss_payloads_execute_nothing_in_chromium(browser, live_server, app):
    user = factories.user(name="Mallory")
    space = make_space(user, "XSS", "xss")
    payloads = xss_payloads() + OWN_XSS + MARKERS
    # As page titles (shown in the sidebar, breadcrumbs, lists) and as attachment file names.
    holder = make_page(user, space, "Payload holder")
    seen = set()
    for i, payload in enumerate(payloads):
        title = " ".join(payload.split())[:190] or f"blank {i}"
        if title.casefold() in seen:
            title = f"{title[:180]} #{i}"
        seen.add(title.casefold())
        make_page(user, space, title, parent_id=holder.id)
        attachments.add(user, holder, payload[:250], io.BytesIO(b"x"))
    # As Markdown and raw HTML in bodies: blocks, inline text, list items, table cells, link labels.
    bodies = []
    for start in range(0, len(payloads), 45):
        chunk = payloads[start:start + 45]
        body = "\n\n".join(chunk) + "\n\n"
        body += "\n".join(f"- item {p}" for p in chunk) + "\n\n| cell |\n|---|\n"
        body += "\n".join(f"| {p.replace('|', ' ')} |" for p in chunk) + "\n\n"
        body += " ".join(f"[[{' '.join(p.split())[:150]}]]" for p in chunk) + "\n"
        bodies.append(body)
    page_ids = [make_page(user, space, f"Bodies {n}", b).id for n, b in enumerate(bodies)]
    db.session.commit()

    ctx, pg = _signed_in(browser, live_server, user)
    events: list[str] = []
    _watch(pg, live_server.url, events)
    try:
        # The probe and the listeners must be able to fail: an unsanitised page without our CSP trips all three.
        pg.goto("about:blank")
        pg.set_content('<img src=x onerror="window.__xss=1;alert(1)"><img src="https://attacker.invalid/p.png">')
        pg.wait_for_timeout(200)
        assert "marker set by script" in pg.evaluate(_PROBE)
        assert any(e.startswith("dialog") for e in events) and any(e.startswith("request") for e in events)
        events.clear()
        urls = [pages.url(db.session.get(Page, pid)) for pid in page_ids] + [pages.url(holder), "/w/xss/-/recent",
                                                                             "/w/xss/-/broken-links", "/w/"]
        for url in urls:
            pg.goto(live_server.url + url)
            found = pg.evaluate(_PROBE)
            assert not found, f"{url}: {found[:10]}"
        # Typed into the editor: the live preview must not run anything either, and neither the published page.
        pg.goto(f"{live_server.url}/w/xss/-/new")
        pg.fill('input[name="title"]', MARKERS[0])
        with pg.expect_response(lambda r: r.url.endswith("/w/-/preview") and r.status == 200):
            pg.locator('textarea[name="body"]').fill("\n\n".join(payloads[:120]) + "\n\nEnd of the payloads.")
        pg.locator(".wiki-preview", has_text="End of the payloads").wait_for()
        assert not pg.evaluate(_PROBE)
        with pg.expect_navigation():
            pg.click("form#wiki-editor button[type=submit]")
        assert not pg.evaluate(_PROBE)
        pg.wait_for_timeout(300)  # a late onerror or timer would show up now
    finally:
        ctx.close()
    assert events == []
    assert "window.__xss" not in "".join(events)


def test_drag_a_page_onto_another_in_the_sidebar(browser, live_server, app):
    user = factories.user(name="Alice")
    space = make_space(user)
    target = make_page(user, space, "Guides")
    moving = make_page(user, space, "Printer setup")
    ctx, pg = _signed_in(browser, live_server, user)
    try:
        pg.goto(live_server.url + pages.url(moving))
        with pg.expect_navigation():
            pg.drag_and_drop(f'li[data-page-id="{moving.id}"] > a', f'li[data-page-id="{target.id}"] > a')
        crumbs = pg.locator(".wiki-crumbs").inner_text()
        assert crumbs.index("Guides") < crumbs.index("Printer setup")
        db.session.expire_all()
        assert db.session.get(Page, moving.id).parent_id == target.id
    finally:
        ctx.close()


def test_attach_a_file_from_the_editor(browser, live_server, app, tmp_path):
    user = factories.user(name="Alice")
    space = make_space(user)
    page = make_page(user, space, "Screens", "Before\n")
    png = tmp_path / "screen shot.png"
    from tests.wiki.test_files_and_transfer import PNG

    png.write_bytes(PNG)
    ctx, pg = _signed_in(browser, live_server, user)
    try:
        pg.goto(f"{live_server.url}/w/eng/{page.id}/edit")
        pg.locator("[data-upload]").set_input_files(str(png))
        pg.locator(".wiki-save-state", has_text="File attached").wait_for()
        body = pg.locator('textarea[name="body"]').input_value()
        assert "![screen shot.png](/w/-/files/" in body
        pg.locator(".wiki-preview img").wait_for()  # the preview shows the uploaded image
        with pg.expect_navigation():
            pg.click("form#wiki-editor button[type=submit]")
        size = pg.locator("#wiki-content img").evaluate("img => img.complete && img.naturalWidth")
        assert size == 1  # the 1x1 PNG loaded through the permission-checked URL
    finally:
        ctx.close()
