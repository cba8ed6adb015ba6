"""render_markdown: the features pages rely on, and the allowlist over the whole XSS corpus."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.wiki.conftest import OWN_XSS, xss_payloads
from webapp.adapters.markup import render_markdown

DANGEROUS_TAGS = {"script", "style", "iframe", "object", "embed", "form", "meta", "base", "link", "svg", "math",
                  "frame", "frameset", "applet", "textarea", "button", "select", "template", "noscript"}


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            v = (value or "").strip().lower().replace("\x00", "")
            if name.startswith("on") or name in ("style", "srcdoc", "formaction", "ping", "action"):
                self.problems.append(f"{tag}[{name}]")
            if name in ("href", "src", "xlink:href", "data", "background", "poster") and v and not (
                    v.startswith(("http://", "https://", "mailto:", "/", "#")) or ":" not in v.split("/")[0]):
                self.problems.append(f"{tag}[{name}={v[:40]}]")
            if tag == "input" and name == "type" and v != "checkbox":
                self.problems.append("input[type]")


def problems(html: str) -> list[str]:
    p = _Collect()
    p.feed(html)
    p.close()
    return p.problems


def test_every_corpus_payload_renders_harmless():
    payloads = xss_payloads() + OWN_XSS
    bad = {}
    for payload in payloads:
        for text in (payload, f"# {payload}\n\n- {payload}\n\n| a |\n|---|\n| {payload} |\n\n[[{payload[:150]}]]"):
            found = problems(render_markdown(text, with_toc=True))
            if found:
                bad[payload] = found
    assert not bad, f"{len(bad)} payloads left something active, e.g. {list(bad.items())[:3]}"


def test_the_checker_itself_catches_active_html():
    # The checker above must be able to fail: feed it unsanitised HTML.
    assert problems('<img src=x onerror="alert(1)">') == ["img[onerror]"]
    assert problems('<a href="javascript:alert(1)">x</a>')
    assert problems("<script>alert(1)</script>") == ["<script>"]


def test_tables_code_tasks_anchors_and_toc():
    html = render_markdown(
        "## Install\n\n### Linux\n\n### Mac\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n"
        "```python\nimport os  # hi\n```\n\n- [ ] todo\n- [x] done\n", with_toc=True)
    assert '<nav class="toc">' in html and 'href="#h-install"' in html
    assert '<h2 id="h-install">' in html and 'class="headerlink"' in html
    assert '<td align="center">1</td>' in html and '<td align="right">2</td>' in html
    assert '<div class="codehilite">' in html and '<span class="kn">import</span>' in html
    assert 'style=' not in html  # the CSP forbids inline styles; highlighting uses classes
    assert '<li class="task-list-item"><input disabled="disabled" type="checkbox">todo</li>' in html
    assert '<input checked="checked" disabled="disabled" type="checkbox">done' in html


def test_wikilinks_resolved_and_missing():
    def resolve(title):
        return (f"/w/s/1-{title.lower()}", True) if title == "Home" else (f"/w/s/-/title/{title}", False)

    html = render_markdown("[[Home]] and [[Nowhere|a label]] but not `[[Code]]`", wikilinks=resolve)
    assert '<a class="wikilink" href="/w/s/1-home"' in html
    assert '<a class="wikilink missing" href="/w/s/-/title/Nowhere"' in html and ">a label</a>" in html
    assert "<code>[[Code]]</code>" in html


@pytest.mark.parametrize("source,start,end", [
    ("{{video:abcDEF_12-3}}", None, None),
    ("{{video:abcDEF_12-3 t=1:30}}", "90", None),
    ("{{video:abcDEF_12-3 t=1:30-2:10}}", "90", "130"),
    ("{{video:abcDEF_12-3 t=1:02:03}}", "3723", None),
])
def test_video_embed_markers(source, start, end):
    html = render_markdown(f"Watch: {source}")
    assert 'class="wiki-video"' in html and 'data-video-id="abcDEF_12-3"' in html
    assert (f'data-start="{start}"' in html) == (start is not None)
    assert (f'data-end="{end}"' in html) == (end is not None)


def test_user_cannot_borrow_app_classes_or_ids():
    html = render_markdown('<p class="flash flash-error">fake</p><h2 id="wiki-editor">x</h2>')
    assert "flash" not in html and 'id="wiki-editor"' not in html
