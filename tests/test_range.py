"""Range requests on media and attachments (RFC 9110 section 14): what werkzeug answered 416 to is served."""
from __future__ import annotations

import io

import pytest

from tests import factories
from tests.wiki.conftest import Member, make_page, make_space
from webapp.adapters.storage import storage
from webapp.services import videos

DATA = bytes(range(256)) * 4  # 1024 bytes whose every slice is recognisable


@pytest.fixture
def member(app):
    return Member(app, factories.user(name="Grace"))


def _media_url(member) -> str:
    video = factories.video(member.user, "Clip", status="ready")
    storage().put_bytes(videos.rendition_prefix(video) + "t1/video.mp4", DATA)
    return f"/v/{video.id}/media/t1/video.mp4"


def _attachment_url(member) -> str:
    page = make_page(member.user, make_space(member.user), "Files")
    r = member.client.post(f"/w/eng/{page.id}/attachments", data={"file": (io.BytesIO(DATA), "data.bin")},
                           headers={"X-CSRFToken": member.csrf}, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    return r.get_json()["url"]


@pytest.fixture(params=["media", "attachment"])
def url(request, member):
    return _media_url(member) if request.param == "media" else _attachment_url(member)


def test_a_suffix_range_longer_than_the_file_is_the_whole_file(member, url):
    r = member.get(url, headers={"Range": "bytes=-5000"})
    assert r.status_code == 206
    assert r.headers["Content-Range"] == f"bytes 0-{len(DATA) - 1}/{len(DATA)}"
    assert r.data == DATA


def test_a_multi_range_request_gets_the_whole_file(member, url):
    for ranges in ("bytes=0-10,20-30", "bytes=20-30,0-10", "bytes=0-5,3-8"):
        r = member.get(url, headers={"Range": ranges})
        assert r.status_code == 200, ranges
        assert r.data == DATA


def test_ordinary_ranges_still_work(member, url):
    r = member.get(url, headers={"Range": "bytes=10-19"})
    assert r.status_code == 206 and r.data == DATA[10:20]
    r = member.get(url, headers={"Range": "bytes=-4"})
    assert r.status_code == 206 and r.data == DATA[-4:]
    assert member.get(url, headers={"Range": "bytes=5000-"}).status_code == 416  # starts past the end: unsatisfiable
    assert member.get(url).data == DATA
