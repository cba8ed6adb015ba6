"""The chapters API: what it shows, the owner's replacement with clear refusals, and who may change it."""
from __future__ import annotations

import pytest

from tests.transcripts.conftest import ready_video


def url(video):
    return f"/api/v1/videos/{video.id}/chapters"


GOOD = {"chapters": [{"start": 0, "title": "Intro"}, {"start": 65.5, "title": "Setup"}]}


def test_get_put_delete(people):
    video = ready_video(people.owner, duration=120.0)
    assert people.owner_api.get(url(video)).get_json() == {"chapters": [], "source": "none"}
    resp = people.owner_api.put(url(video), json=GOOD)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["source"] == "owner"
    assert [c["title"] for c in people.other_api.get(url(video)).get_json()["chapters"]] == ["Intro", "Setup"]
    resp = people.owner_api.client.delete(url(video), headers=people.owner_api.headers)
    assert resp.status_code == 200 and resp.get_json()["source"] == "none"


@pytest.mark.parametrize("body, message", [
    ({"chapters": [{"start": 5, "title": "A"}, {"start": 10, "title": "B"}]}, "first chapter must start at 0:00"),
    ({"chapters": [{"start": 0, "title": "A"}, {"start": 0, "title": "B"}]}, "must start after chapter 1"),
    ({"chapters": [{"start": 0, "title": "A"}, {"start": 500, "title": "B"}]}, "after the video ends"),
    ({"chapters": [{"start": 0, "title": " "}]}, "needs a title"),
    ({"chapters": [{"start": 0, "title": "x" * 101}]}, "longer than 100"),
    ({"chapters": [{"start": "0", "title": "A"}]}, "must be a number"),
    ({"chapters": [{"start": i, "title": "A"} for i in range(101)]}, "at most 100"),
    ({"chapters": "0:00 Intro"}, "must be a list"),
    ({"chapter": []}, "Unknown field"),
])
def test_put_refuses_clearly(people, body, message):
    video = ready_video(people.owner, duration=120.0)
    resp = people.owner_api.put(url(video), json=body)
    assert resp.status_code == 400 and message in resp.get_json()["error"]


def test_permissions(people):
    team = ready_video(people.owner, duration=120.0)
    hidden = ready_video(people.owner, duration=120.0, visibility="private")
    assert people.other_api.put(url(team), json=GOOD).status_code == 403
    assert people.other_api.client.delete(url(team), headers=people.other_api.headers).status_code == 403
    assert people.other_api.get(url(hidden)).status_code == 404
    assert people.other_api.put(url(hidden), json=GOOD).status_code == 404
    assert people.admin_api.put(url(hidden), json=GOOD).status_code == 200
    assert people.owner_web.client.put(url(team), json=GOOD).status_code == 400  # a session needs its CSRF token
