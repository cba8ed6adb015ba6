"""The strict readers at the HTTP edge (webapp/http_input.py) and the service text rules (webapp/text.py)."""
from __future__ import annotations

import time

import pytest

from webapp import http_input, text
from webapp.errors import Invalid


@pytest.mark.parametrize("raw", ["²", "1¹", "١٢", "12a", "", " ", "-1", "+1", "1.0", "0x10", "1_000", "9" * 20])
def test_parse_int_refuses_anything_but_ascii_digits_in_range(raw):
    with pytest.raises(Invalid):
        http_input.parse_int(raw, "Upload-Length")


def test_parse_int_reads_plain_numbers_and_bounds_them():
    assert http_input.parse_int(" 42 ", "n") == 42
    assert http_input.parse_int("9223372036854775807", "n") == http_input.INT64_MAX
    assert http_input.parse_int("-3", "n", lo=-5, hi=5) == -3
    with pytest.raises(Invalid, match="from 1 to 100"):
        http_input.parse_int("101", "limit", lo=1, hi=100)


@pytest.mark.parametrize("body", [
    '{"a": "\\ud800"}', '{"\\udfff": 1}', '{"a": ["x", {"b": "\\ud83d"}]}',  # lone surrogates, keys included
    '{"a": "nul\\u0000"}',
    '{"a": 1e20}', '{"a": 1e30}', '{"a": -1e400}', '{"a": 99999999999999999999}', '{"a": ' + "9" * 5000 + "}",
    '{"a": NaN}', '{"a": Infinity}',
    "[" * 100_000, '{"a":' * 100_000, "[" * 33 + "]" * 33,
    '{"a": 1', "\xff",
])
def test_parse_json_refuses_odd_bodies_with_invalid(body):
    raw = body.encode("utf-8", "surrogateescape") if body != "\xff" else b"\xff"
    with pytest.raises(Invalid):
        http_input.parse_json(raw)


def test_parse_json_takes_ordinary_json():
    data = http_input.parse_json(b'{"t": "caf\\u00e9 \\ud83d\\ude00", "n": -12, "f": 1.5, "l": [[1]], "s": "[[["}')
    assert data == {"t": "café 😀", "n": -12, "f": 1.5, "l": [[1]], "s": "[[["}


def test_nesting_is_measured_without_recursion_and_in_linear_time():
    assert http_input.nesting_depth('{"a": "[[[[", "b": [{"c": "\\"]]"}]}') == 3
    started = time.monotonic()
    for hostile in ("[" * 2_000_000, '"\\"' * 700_000, "[]" * 1_000_000, '"' + "a" * 2_000_000):
        http_input.nesting_depth(hostile)
    assert time.monotonic() - started < 5


def test_line_and_text_checks():
    assert http_input.check_line("A title", "title") == "A title"
    for bad in ("a\nb", "tab\there", "bell\x07", "del\x7f"):
        with pytest.raises(Invalid):
            http_input.check_line(bad, "title")
    assert http_input.check_text("line 1\r\n\tline 2", "body")
    with pytest.raises(Invalid):
        http_input.check_text("esc\x1b[31m", "body")


def test_service_text_rules():
    assert text.single_line("  a\x00b\n\tc\u2028d  ") == "a b c d"
    assert text.multi_line("a\r\nb\rc\x00\td\x1b") == "a\nb\nc\td"
    for fn in (text.single_line, text.multi_line):
        with pytest.raises(Invalid, match="surrogate"):
            fn("x\ud800")


def test_wiki_json_endpoints_use_the_same_reader(app):
    from tests import factories
    from tests.wiki.conftest import Member, make_space

    member = Member(app, factories.user(name="Grace"))
    make_space(member.user)
    headers = {"X-CSRFToken": member.csrf, "Content-Type": "application/json", "Accept": "application/json"}
    for body in (b"[" * 100_000, b'{"space": "eng", "body": "\\ud800"}', b'{"space": "eng", "body": 1e400}'):
        r = member.client.post("/w/-/preview", data=body, headers=headers)
        assert r.status_code == 400, r.get_data(as_text=True)[:200]
    ok = member.client.post("/w/-/preview", data=b'{"space": "eng", "body": "*hi*"}', headers=headers)
    assert ok.status_code == 200 and "<em>hi</em>" in ok.get_json()["html"]
    r = member.client.post("/w/eng/-/draft", data=b'{"title": "\\udc00", "body": "x"}', headers=headers)
    assert r.status_code == 400
