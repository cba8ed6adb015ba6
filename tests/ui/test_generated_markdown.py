"""Markdown that Parley writes quotes what people typed: a name with markup characters reads as itself."""
from __future__ import annotations

import html as htmllib
import re

import pytest

from tests import factories
from tests.conftest import csrf_token
from webapp.adapters.markup import render_markdown
from webapp.services.wiki import from_video
from webapp.text import markdown_literal

NASTY = [
    "<b>Ops</b> & *star* _under_ [link](http://evil.example) `tick`",
    "Tom & Jerry &amp; &lt;b&gt;",
    "1. not a list", "- not a bullet", "+ nor this", "# not a heading", "> not a quote",
    "Title\n===", "    not code", "{{video:abc123}}", "![alt](x.png)", "a|b|c", r"back\slash", "<script>x</script>",
    "12. twelfth", "-- dashes --", "line one\n- and a bullet\n## and a heading", "Hi! (see [this])", "a_b_c *d*",
]


def text_of(html: str) -> str:
    """What a reader sees: the tags gone, entities decoded, runs of white space as one."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", html)).split())


@pytest.mark.parametrize("typed", NASTY)
def test_quoted_text_renders_as_typed(typed):
    html = render_markdown(markdown_literal(typed))
    assert text_of(html) == " ".join(typed.split())
    assert not re.search(r"<(strong|em|a|code|img|h\d|ol|ul|blockquote|pre|script|b)\b", html), html


def test_space_home_page_shows_the_name_literally(client, auth):
    auth.signup()
    name = "<b>Ops</b> *star* _under_ [link](http://evil.example)"
    r = client.post("/w/-/spaces", data={"name": name, "slug": "ops", "csrf_token": csrf_token(client)},
                    follow_redirects=True)
    assert r.status_code == 200
    body = re.search(r'<div class="wiki-content" id="wiki-content">(.*?)</div>', r.get_data(as_text=True), re.S)
    assert body, "the home page shows no body"
    assert text_of(body.group(1)) == f"Welcome to the {name} space."
    assert "<strong>" not in body.group(1) and "<em>" not in body.group(1)
    assert 'href="http://evil.example"' not in body.group(1)


def test_page_from_video_quotes_the_description(app):
    owner = factories.user()
    description = "Steps: *first* _then_ <u>this</u>\n1. not a list"
    v = factories.video(owner, "Demo", description=description)
    _title, body = from_video.draft_for(v)
    html = render_markdown(body.split("\n", 1)[1])  # after the embed line
    assert text_of(html) == " ".join(description.split())
    assert "<em>" not in html and "<ol>" not in html and "<u>" not in html
