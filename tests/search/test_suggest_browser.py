"""In a real Chromium: suggestions under the header's search box as you type (pages, videos, people), chosen with
the keyboard or the mouse, never showing what the viewer may not see, and the box still a plain form without JS."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import sign_in
from tests.search.speech import said, video_saying
from webapp.services.search import indexer
from webapp.services.wiki import pages, spaces

pytestmark = pytest.mark.browser

BOX = "#header-search-q"
LISTBOX = "#header-search-list"


@pytest.fixture
def team(app):
    """Olga writes the runbook and owns two videos, one private; Dana is another member (not an admin)."""
    olga = factories.user("olga@example.com", name="Olga Ostrova")
    dana = factories.user("dana@example.com", name="Dana Scully")
    space = spaces.create(olga, "Ops", "ops")
    runbook = pages.create(olga, space, "Deploy runbook", "Steps to ship a release.")
    shared = video_saying(olga, "Demo day recap", [said(1.0, "welcome to demo day")])
    secret = video_saying(olga, "Demo of the secret merger", [said(1.0, "nobody may know")], visibility="private")
    indexer.run_once()
    return {"olga": olga, "dana": dana, "runbook": runbook, "runbook_url": pages.url(runbook),
            "shared": shared, "secret": secret}


def type_into_box(page, text: str) -> None:
    box = page.locator(BOX)
    box.click()
    box.press_sequentially(text, delay=30)


def test_two_letters_of_a_page_title_suggest_it_and_arrow_down_enter_opens_it(page, live_server, team):
    sign_in(page, live_server.url, "dana@example.com")
    page.goto(f"{live_server.url}/w")
    box = page.locator(BOX)
    expect(box).to_have_attribute("aria-expanded", "false")

    type_into_box(page, "de")
    listbox = page.locator(LISTBOX)
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    pages_group = listbox.get_by_role("group", name="Pages")
    option = pages_group.get_by_role("option", name=re.compile("Deploy runbook"))
    expect(option).to_be_visible()
    expect(option.locator("b")).to_have_text("De")  # the typed prefix, in bold
    count = listbox.get_by_role("option").count()
    expect(page.locator("#header-search .suggest-status")).to_have_text(
        "1 suggestion" if count == 1 else f"{count} suggestions")

    # Pages come first, so the first ArrowDown lands on the runbook; the focus stays in the box.
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    expect(box).to_be_focused()
    box.press("Enter")
    page.wait_for_url(f"**{team['runbook_url']}")
    expect(page.locator("h1")).to_have_text("Deploy runbook")


def test_a_private_video_of_another_member_never_appears_in_the_suggestions(page, live_server, team):
    sign_in(page, live_server.url, "dana@example.com")
    page.goto(f"{live_server.url}/videos")
    listbox = page.locator(LISTBOX)

    type_into_box(page, "demo")
    videos_group = listbox.get_by_role("group", name="Videos")
    expect(videos_group.get_by_role("option", name=re.compile("Demo day recap"))).to_be_visible()
    expect(listbox).not_to_contain_text("secret")
    expect(listbox).not_to_contain_text("merger")
    assert team["secret"].id not in listbox.inner_html()

    # Its own words find nothing: the empty state says what Enter will do, and Enter searches everything.
    box = page.locator(BOX)
    box.fill("")
    type_into_box(page, "secret merger")
    note = page.locator("#header-search-popup .suggest-note")
    expect(note).to_have_text("No matches: press Enter to search everything")
    expect(listbox.get_by_role("option")).to_have_count(0)
    expect(page.locator("#header-search .suggest-status")).to_have_text("No matches")
    box.press("Enter")
    page.wait_for_url("**/search?q=secret+merger")
    expect(page.locator("main")).not_to_contain_text("Demo of the secret merger")


def test_escape_closes_then_clears_and_a_click_opens_the_suggestion(page, live_server, team):
    sign_in(page, live_server.url, "dana@example.com")
    page.goto(f"{live_server.url}/w")
    box = page.locator(BOX)
    listbox = page.locator(LISTBOX)

    type_into_box(page, "dem")
    expect(listbox.get_by_role("option", name=re.compile("Demo day recap"))).to_be_visible()
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("dem")
    box.press("Escape")
    expect(box).to_have_value("")

    # Leaving the box closes the list; typing again and clicking a suggestion opens it.
    type_into_box(page, "dem")
    expect(listbox).to_be_visible()
    page.locator("h1").click()
    expect(listbox).to_be_hidden()
    box.click()
    box.press("End")
    box.press_sequentially("o", delay=30)
    option = listbox.get_by_role("option", name=re.compile("Demo day recap"))
    option.click()
    page.wait_for_url(f"**/v/{team['shared'].id}")
    expect(page.locator("h1")).to_have_text("Demo day recap")


def test_people_are_suggested_and_up_from_the_box_goes_to_the_last(page, live_server, team):
    sign_in(page, live_server.url, "dana@example.com")
    page.goto(f"{live_server.url}/w")
    box = page.locator(BOX)
    type_into_box(page, "olg")
    person = page.locator(LISTBOX).get_by_role("group", name="People").get_by_role(
        "option", name=re.compile("Olga Ostrova"))
    expect(person).to_be_visible()
    expect(person.locator("b")).to_have_text("Olg")
    box.press("ArrowUp")
    last = page.locator(LISTBOX).get_by_role("option").last
    expect(last).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")  # past the end: back in the box, nothing chosen
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile("."))


def test_without_javascript_the_box_still_searches(browser, live_server, team):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "dana@example.com")
        box = page.locator(BOX)
        box.fill("runbook")
        box.press("Enter")
        page.wait_for_url("**/search?q=runbook")
        expect(page.locator("main")).to_contain_text("Deploy runbook")
        expect(page.locator(LISTBOX)).to_be_hidden()
    finally:
        context.close()
