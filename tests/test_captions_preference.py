"""Whether captions show when a video starts, set on the account page: the box shows the saved choice, Save keeps
it (with a message) and the watch page's CC starts that way; without the form's token nothing changes."""
from __future__ import annotations

import re

from tests.transcripts.conftest import people, ready_video  # noqa: F401

BOX = re.compile(r'<input type="checkbox" name="on" value="1" id="captions-on"( checked)?>')


def box_ticked(member) -> bool:
    found = BOX.search(member.get("/account").get_data(as_text=True))
    assert found, "no captions checkbox on the account page"
    return bool(found.group(1))


def captions_start_on(member, video) -> str:
    found = re.search(r'data-captions-on="(\w+)"', member.get(f"/v/{video.id}").get_data(as_text=True))
    assert found, "no captions setting on the watch page"
    return found.group(1)


def test_the_captions_setting_on_the_account_page_sticks(stack_app, people):  # noqa: F811
    owner = people.owner_web
    video = ready_video(people.owner)
    page = owner.get("/account").get_data(as_text=True)
    assert "Show captions when a video starts" in page
    assert not box_ticked(owner) and captions_start_on(owner, video) == "false"

    # Ticked: the form sends its hidden "0" and the box's "1".
    r = owner.post("/account/captions", data={"on": ["0", "1"]})
    assert r.status_code == 302 and r.headers["Location"].endswith("/account")
    assert "Captions will show when a video starts." in owner.get("/account").get_data(as_text=True)
    assert box_ticked(owner) and captions_start_on(owner, video) == "true"

    # Another person's setting is their own.
    assert captions_start_on(people.other_web, video) == "false"

    # Unticked: only the hidden "0" is sent.
    r = owner.post("/account/captions", data={"on": "0"})
    assert r.status_code == 302
    assert "Videos will start without captions." in owner.get("/account").get_data(as_text=True)
    assert not box_ticked(owner) and captions_start_on(owner, video) == "false"

    # Without the form's token: refused, and the setting stays.
    r = owner.client.post("/account/captions", data={"on": ["0", "1"]})
    assert r.status_code == 400
    assert not box_ticked(owner)
    # Nonsense is a clear 400 with the reason, never a 500.
    r = owner.post("/account/captions", data={"on": "maybe"})
    assert r.status_code == 400
