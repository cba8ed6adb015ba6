"""The 14 requests of issue 7 that were answered with a server error, each now a clear 400 (or 404), and NUL or
control characters in titles refused at the API and stripped by the services. Runs on both stacks: SQLite and
PostgreSQL refuse different things (integers past 2**63, lone surrogates, NUL)."""
from __future__ import annotations

import pytest

from tests import factories
from tests.uploads.helpers import patch_headers, tus
from webapp.extensions import db
from webapp.models import Page, Space, Video

DEEP = "[" * 100_000


def bearer(account, **extra) -> dict:
    return {"Authorization": f"Bearer {account.token}", **extra}


def raw_json(client, method, url, account, body: str):
    return client.open(url, method=method, data=body.encode("utf-8", "surrogatepass"),
                       headers=bearer(account, **{"Content-Type": "application/json"}))


@pytest.fixture
def c(stack_app):
    return stack_app.test_client()


@pytest.fixture
def page(c, owner):
    r = c.post("/api/v1/spaces", headers=bearer(owner), json={"name": "Support", "slug": "support"})
    assert r.status_code == 201, r.get_json()
    r = c.post("/api/v1/spaces/support/pages", headers=bearer(owner), json={"title": "Reset", "body": "x"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _bad(resp, status=400):
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    return resp


@pytest.mark.parametrize("value", ["²", "1¹"])
def test_upload_length_of_superscript_digits(c, owner, value):  # requests 1 and 2
    r = _bad(c.post("/files/", headers=tus(owner.token, **{"Upload-Length": value})))
    assert "Upload-Length" in r.get_data(as_text=True)
    assert db.session.query(Video).count() == 0


def test_upload_offset_of_a_superscript_digit(c, owner):  # request 3
    r = c.post("/files/", headers=tus(owner.token, **{"Upload-Length": "10"}))
    assert r.status_code == 201
    headers = patch_headers(owner.token, 0)
    headers["Upload-Offset"] = "²"
    r = _bad(c.patch(r.headers["Location"], data=b"0123456789", headers=headers))
    assert "Upload-Offset" in r.get_data(as_text=True)


def test_list_limit_of_a_superscript_digit(c, owner):  # request 4
    r = _bad(c.get("/api/v1/videos?limit=%C2%B2", headers=bearer(owner)))
    assert "limit" in r.get_json()["error"]


def test_video_title_with_a_lone_surrogate(c, owner):  # request 5
    r = _bad(raw_json(c, "POST", "/api/v1/videos", owner, '{"title": "\\ud800"}'))
    assert "surrogate" in r.get_json()["error"]


@pytest.mark.parametrize("field", ["title", "description"])
def test_video_edit_with_a_lone_surrogate(c, owner, field):  # requests 6 and 7
    video = factories.video(owner.user, "Fine")
    _bad(raw_json(c, "PATCH", f"/api/v1/videos/{video.id}", owner, f'{{"{field}": "a\\udc00b"}}'))
    db.session.expire_all()
    assert db.session.get(Video, video.id).title == "Fine"


def test_page_save_with_a_lone_surrogate(c, owner, page):  # request 8
    for body in ('{"title": "\\ud800", "base_revision": 1}', '{"body": "x\\udfff", "base_revision": 1}'):
        _bad(raw_json(c, "PUT", f"/api/v1/pages/{page['id']}", owner, body))
    assert c.get(f"/api/v1/pages/{page['id']}", headers=bearer(owner)).get_json()["revision"] == 1


def test_space_name_with_a_lone_surrogate(c, owner):  # request 9
    _bad(raw_json(c, "POST", "/api/v1/spaces", owner, '{"name": "\\ud800"}'))
    assert db.session.query(Space).count() == 0


def test_parent_id_too_large_for_the_database(c, owner, page):  # request 10
    for value in ("1e20", "100000000000000000000", "9223372036854775807"):
        _bad(raw_json(c, "POST", "/api/v1/spaces/support/pages", owner, f'{{"title": "T{value}", "parent_id": {value}}}'))


def test_base_revision_too_large_for_the_database(c, owner, page):  # request 11
    for value in ("1e30", "1000000000000000000000000000000", "2147483648"):
        _bad(raw_json(c, "PUT", f"/api/v1/pages/{page['id']}", owner, f'{{"body": "y", "base_revision": {value}}}'))


def test_revision_number_too_large_for_the_database(c, owner, page):  # request 12
    _bad(c.get(f"/api/v1/pages/{page['id']}/revisions/99999999999999999999", headers=bearer(owner)), 404)
    _bad(c.get("/api/v1/pages/99999999999999999999", headers=bearer(owner)), 404)


def test_deeply_nested_space(c, owner):  # request 13
    r = _bad(raw_json(c, "POST", "/api/v1/spaces", owner, DEEP))
    assert "deep" in r.get_json()["error"]


def test_deeply_nested_page_save(c, owner, page):  # request 14
    _bad(raw_json(c, "PUT", f"/api/v1/pages/{page['id']}", owner, '{"body": ' + DEEP))


def test_control_characters_in_titles_are_refused_by_the_api(c, owner, page):
    _bad(raw_json(c, "POST", "/api/v1/videos", owner, '{"title": "a\\u0000b"}'))
    _bad(raw_json(c, "POST", "/api/v1/videos", owner, '{"title": "bell\\u0007"}'))
    video = factories.video(owner.user, "Fine")
    _bad(raw_json(c, "PATCH", f"/api/v1/videos/{video.id}", owner, '{"title": "two\\nlines"}'))
    _bad(raw_json(c, "POST", "/api/v1/spaces", owner, '{"name": "esc\\u001b[31m"}'))
    _bad(raw_json(c, "PUT", f"/api/v1/pages/{page['id']}", owner, '{"title": "t\\u0000", "base_revision": 1}'))
    # Multi-line fields keep their line breaks and tabs.
    r = c.patch(f"/api/v1/videos/{video.id}", headers=bearer(owner), json={"description": "one\n\ttwo"})
    assert r.status_code == 200 and r.get_json()["description"] == "one\n\ttwo"
    assert not any("\x00" in p.title for p in db.session.query(Page))


def test_services_strip_control_characters_from_video_titles(c, owner):
    # The tus metadata and the form carry titles past the JSON reader: the service cleans them.
    video = factories.video(owner.user, "Weekly\x00 sync\x1b[0m\nnotes")
    assert video.title == "Weekly sync [0m notes"


def test_tus_metadata_with_control_characters_is_cleaned(c, owner):
    # Upload-Metadata is base64, so NUL and escapes pass the header parser: the services clean what they store.
    from tests.uploads.helpers import metadata

    r = c.post("/files/", headers=tus(owner.token, **{"Upload-Length": "10", "Upload-Metadata": metadata(
        filename="dir/a\x00b.webm", title="Stand\x00up\x1b")}))
    assert r.status_code == 201, r.get_data(as_text=True)
    video = db.session.get(Video, r.headers["Parley-Video-Id"])
    assert video.title == "Stand up" and video.source_name == "a b.webm"
