"""Property: no well-formed HTTP request to any JSON endpoint of the API, or to the tus server, is answered 500.

The API's endpoints are read from the app's URL map, so a new one is fuzzed without anyone adding it here. Bodies
are arbitrary JSON (lone surrogates, control characters, numbers past every column, nesting, wrong types) around
the field names the API knows, plus hostile raw bodies; tus requests get arbitrary Latin-1 header values.
Examples are bounded so the whole file runs in well under a minute on the embedded stack.
"""
from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.uploads.helpers import tus
from webapp.extensions import db

FIELDS = ["title", "description", "visibility", "size", "filename", "name", "slug", "body", "summary",
          "parent_id", "base_revision", "is_template"]
SETTINGS = settings(max_examples=250, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

any_char = st.characters(blacklist_categories=())  # surrogates (Cs) and controls (Cc) included
odd_text = st.one_of(st.text(any_char, max_size=40), st.sampled_from(["\ud800", "a\x00b", "\x1b[31m", "\n\t", "²"]))
numbers = st.one_of(st.integers(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True),
                    st.sampled_from([0, 1, -1, 2**31, 2**63, 1e20, 1e30, 10**30]))
scalars = st.one_of(st.none(), st.booleans(), numbers, odd_text)
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(odd_text, inner, max_size=4)),
                           max_leaves=12)
objects = st.dictionaries(st.one_of(st.sampled_from(FIELDS), odd_text), json_values, max_size=6)


def _encode(value) -> bytes:
    return json.dumps(value).encode()  # ensure_ascii: surrogates travel as \\udXXX escapes, as clients send them


raw_bodies = st.one_of(
    objects.map(_encode),
    json_values.map(_encode),
    st.integers(min_value=1, max_value=200_000).map(lambda n: b"[" * n),
    st.integers(min_value=1, max_value=50_000).map(lambda n: b'{"title":' * n),
    st.binary(max_size=64),
)
content_types = st.sampled_from(["application/json", "application/json", "application/json", "text/plain", None])
# A path segment (no "/": a URL no route matches is the app's 404 page, not the API's).
path_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/"), min_size=1, max_size=20).map(
    lambda s: quote(s, safe=""))


@pytest.fixture
def world(app):
    owner = factories.user("fuzz@example.com", admin=False)
    other = factories.user("other@example.com")
    from webapp.services.wiki import pages, spaces

    space = spaces.create(owner, "Fuzz", "fuzz")
    page = pages.create(owner, space, "Fuzzed page", "text")
    db.session.commit()
    videos = [factories.video(owner, "Mine"), factories.video(other, "Theirs", visibility="private"),
              factories.video(other, "Team")]
    return {"app": app, "token": factories.token(owner), "video_ids": [v.id for v in videos],
            "page_id": page.id, "slug": space.slug}


def _routes(app):
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            found += [(rule, m) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def _arg_values(world, name: str, converter: str):
    if converter.startswith("int"):
        return st.one_of(st.just(world["page_id"]), st.just(1), st.integers(min_value=0, max_value=10**25)).map(str)
    if "video" in name:
        return st.one_of(st.sampled_from(world["video_ids"]), path_text)
    if "slug" in name:
        return st.one_of(st.just(world["slug"]), path_text)
    return path_text


@st.composite
def api_requests(draw, world):
    rule, method = draw(st.sampled_from(_routes(world["app"])))
    path = rule.rule
    for conv, name in re.findall(r"<(?:([^:>]+):)?([^>]+)>", rule.rule):
        value = draw(_arg_values(world, name, conv or "default"))
        path = re.sub(r"<[^>]*\b" + re.escape(name) + ">", value, path, count=1)
    query = draw(st.dictionaries(st.sampled_from(["limit", "q", "cursor"]), odd_text.filter(
        lambda s: not re.search("[\ud800-\udfff]", s)), max_size=3))
    body = draw(raw_bodies) if method in ("POST", "PUT", "PATCH") else b""
    return method, path, query, body, draw(content_types)


def test_no_api_endpoint_answers_500(world):
    client = world["app"].test_client()

    @SETTINGS
    @given(api_requests(world))
    def run(request):
        method, path, query, body, ctype = request
        headers = {"Authorization": f"Bearer {world['token']}"}
        if ctype:
            headers["Content-Type"] = ctype
        resp = client.open(path, method=method, query_string=query, data=body, headers=headers)
        assert resp.status_code < 500, (method, path, body[:200], resp.get_data(as_text=True)[:300])
        if resp.status_code >= 400:
            assert resp.is_json and resp.get_json()["error"], (method, path, resp.data[:200])

    run()


latin1 = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"), max_size=30)
header_values = st.one_of(latin1, st.sampled_from(["²", "1¹", "-1", "1e3", "9" * 30, "18446744073709551616", "0"]),
                          st.integers(min_value=0, max_value=2**70).map(str))
tus_headers = st.dictionaries(
    st.sampled_from(["Upload-Length", "Upload-Offset", "Upload-Defer-Length", "Upload-Metadata", "Upload-Checksum",
                     "X-HTTP-Method-Override", "Content-Type"]), header_values, max_size=5)


def test_no_tus_request_answers_500(world):
    client = world["app"].test_client()
    created = client.post("/files/", headers=tus(world["token"], **{"Upload-Length": "100"}))
    assert created.status_code == 201
    upload_url = created.headers["Location"]

    @SETTINGS
    @given(st.sampled_from(["POST", "PATCH", "HEAD", "DELETE", "OPTIONS"]), st.booleans(), tus_headers,
           st.binary(max_size=32))
    def run(method, at_collection, extra, body):
        url = "/files/" if at_collection else upload_url
        resp = client.open(url, method=method, data=body, headers=tus(world["token"], **extra))
        assert resp.status_code < 500, (method, url, extra, resp.get_data(as_text=True)[:300])

    run()
