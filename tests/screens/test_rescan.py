"""The owner's "Read screens again": a new scan is queued (and the old reason cleared), refused while one runs,
for a viewer who may not manage the video (403) or may not see it (404), and without the form's CSRF token; a
trim then shows the screens in the new timeline. In Chromium: the button on a scan that could not read, a click
that shows the wait, and the filmstrip following a trim without a reload."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import admin, admin_page, make_video, renditions, sample_video  # noqa: F401
from tests.screens.test_filmstrip import add_scan
from tests.transcripts.conftest import people, ready_video  # noqa: F401
from webapp.extensions import db
from webapp.models import Job, Screen, ScreenScan

NO_OCR = "Text on screen cannot be read here: tesseract is not installed on the worker."
# Source seconds, as the worker stores them.
SHOWN = [(0.0, 3.0, "Welcome"), (3.0, 6.0, "The plan"), (6.0, 10.0, "Questions")]


def scanned(video, shown=(), *, state="unavailable", reason=NO_OCR):
    video.has_video = True
    scan = ScreenScan(video_id=video.id, state=state, progress=0 if shown == () else 100, reason=reason,
                      source_sha1=video.source_sha1)
    db.session.add(scan)
    for i, (start, end, heading) in enumerate(shown):
        scan.screens.append(Screen(video_id=video.id, position=i, start=start, end=end, text=heading,
                                   heading=heading, image_key=None))
    db.session.commit()
    return scan


def screen_jobs(video) -> list[str]:
    return [j.state for j in db.session.scalars(select(Job).where(Job.video_id == video.id, Job.kind == "screens"))]


def test_the_owner_has_the_screens_read_again(stack_app, people):  # noqa: F811
    stack_app.config["SCREENS"] = True
    video = ready_video(people.owner, "Deck", source_key="sources/deck/original")
    scanned(video)
    owner = people.owner_web
    assert "Read screens again" in owner.get(f"/v/{video.id}").get_data(as_text=True)

    r = owner.post(f"/v/{video.id}/screens/rescan")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/v/{video.id}")
    assert "The screens will be read again" in owner.get(f"/v/{video.id}").get_data(as_text=True)
    found = owner.get(f"/v/{video.id}/screens.json").get_json()
    assert (found["state"], found["progress"], found["reason"]) == ("queued", 0, None)
    assert screen_jobs(video) == ["queued"]

    # Asked again while that scan waits: refused with the reason, as JSON for a script and on the page for a form.
    r = people.owner_api.post(f"/v/{video.id}/screens/rescan")
    assert r.status_code == 409 and "being read already" in r.get_json()["error"]
    owner.post(f"/v/{video.id}/screens/rescan")
    assert "being read already" in owner.get(f"/v/{video.id}").get_data(as_text=True)
    assert screen_jobs(video) == ["queued"]

    # Once it is done (nothing found this time either), the owner may ask again; the answer is the queued scan.
    db.session.get(ScreenScan, video.id).state = "empty"
    db.session.commit()
    r = people.owner_api.post(f"/v/{video.id}/screens/rescan")
    assert r.status_code == 202 and r.get_json()["state"] == "queued"
    assert screen_jobs(video) == ["queued", "queued"]


def test_only_the_owner_or_an_admin_may_have_the_screens_read_again(app, people):  # noqa: F811
    app.config["SCREENS"] = True
    team = ready_video(people.owner, "Team deck")
    private = ready_video(people.owner, "Private deck", visibility="private")
    for video in (team, private):
        scanned(video)
    other = people.other_web
    assert "Read screens again" not in other.get(f"/v/{team.id}").get_data(as_text=True)
    assert other.post(f"/v/{team.id}/screens/rescan").status_code == 403
    r = people.other_api.post(f"/v/{team.id}/screens/rescan")
    assert r.status_code == 403 and "owner" in r.get_json()["error"]
    assert other.post(f"/v/{private.id}/screens/rescan").status_code == 404
    assert other.post("/v/nosuchvideo/screens/rescan").status_code == 404
    # Without the form's token nothing happens, even for the owner.
    assert people.owner_web.client.post(f"/v/{team.id}/screens/rescan").status_code == 400
    assert screen_jobs(team) == screen_jobs(private) == []
    assert people.admin_api.post(f"/v/{private.id}/screens/rescan").status_code == 202


@pytest.mark.parametrize("fields, says", [({"status": "processing"}, "ready video"),
                                          ({"has_video": False}, "with a picture")])
def test_a_video_that_cannot_be_read_is_refused_with_the_reason(app, people, fields, says):  # noqa: F811
    app.config["SCREENS"] = True
    video = ready_video(people.owner, "Not yet")
    scanned(video)
    for k, v in fields.items():
        setattr(video, k, v)
    db.session.commit()
    r = people.owner_api.post(f"/v/{video.id}/screens/rescan")
    assert r.status_code == 409 and says in r.get_json()["error"]
    app.config["SCREENS"] = False
    r = people.owner_api.post(f"/v/{video.id}/screens/rescan")
    assert r.status_code == 409 and "turned off" in r.get_json()["error"]
    assert screen_jobs(video) == []


def test_a_trim_shows_the_screens_in_the_new_timeline(stack_app, people):  # noqa: F811
    video = ready_video(people.owner, "Deck", source_key="sources/deck/original")
    scanned(video, SHOWN, state="done", reason=None)
    r = people.owner_api.put(f"/api/v1/videos/{video.id}/trim", json={"start": 4.0, "end": 9.0})
    assert r.status_code == 200, r.get_data(as_text=True)
    shown = people.owner_web.get(f"/v/{video.id}/screens.json").get_json()["screens"]
    # "Welcome" was cut; "The plan" now starts where the video does; "Questions" 2 s later, until the new end.
    assert [(s["heading"], s["start"], s["end"]) for s in shown] == [("The plan", 0.0, 2.0), ("Questions", 2.0, 5.0)]
    assert [s["number"] for s in shown] == [0, 1]
    people.owner_api.client.delete(f"/api/v1/videos/{video.id}/trim", headers=people.owner_api.headers)
    shown = people.owner_web.get(f"/v/{video.id}/screens.json").get_json()["screens"]
    assert [s["start"] for s in shown] == [0.0, 3.0, 6.0]


def test_the_filmstrip_offers_a_new_scan_and_follows_a_trim(admin_page, live_server, make_video, renditions, app):  # noqa: F811
    page = admin_page
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    app.config["SCREENS"] = True
    video = make_video("Deck review")
    add_scan(video, renditions, [], state="unavailable", progress=0, reason=NO_OCR)
    page.goto(f"{live_server.url}/v/{video.id}")
    expect(page.locator("#filmstrip-unavailable")).to_contain_text("tesseract is not installed")
    button = page.get_by_role("button", name="Read screens again")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("#filmstrip-progress-text")).to_have_text("Waiting to read the screens…")
    expect(button).to_be_hidden()
    expect(page.locator("#filmstrip-unavailable")).to_be_hidden()

    # The worker reads them (as it would store them), and the page shows them without a reload.
    db.session.query(ScreenScan).filter_by(video_id=video.id).delete()
    db.session.commit()
    add_scan(video, renditions)  # 0:00 Welcome, 0:02 The plan, 0:04 Questions
    items = page.locator("#filmstrip-list .filmstrip-item")
    expect(items).to_have_count(3, timeout=10_000)

    # The owner trims the first 2.5 s away: the first screen goes, the others move, still without a reload.
    page.click("#open-trim")
    page.fill("#trim-start", "2.5")
    page.press("#trim-start", "Tab")
    page.click("#trim-save")
    expect(page.locator("#trim-message")).to_contain_text("Trim saved.")
    expect(page.locator(".filmstrip-heading")).to_have_text(["The plan", "Questions"], timeout=5_000)
    expect(page.locator(".filmstrip-time")).to_have_text(["0:00", "0:01"])
    assert errors == []
