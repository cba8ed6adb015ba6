"""Wiki test helpers: API clients with bearer tokens, logged-in browser-like clients, spaces and pages."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests import factories
from tests.conftest import PASSWORD, ROOT

XSS_DIR = ROOT.parent / "shared" / "xss"


class ApiClient:
    """The test client with an API token, as a script would call the API."""

    def __init__(self, app, user):
        self.client = app.test_client()
        self.user = user
        self.headers = {"Authorization": f"Bearer {factories.token(user)}"}

    def get(self, url, **kw):
        return self.client.get(url, headers=self.headers, **kw)

    def post(self, url, json=None, **kw):
        return self.client.post(url, json=json, headers=self.headers, **kw)

    def put(self, url, json=None, **kw):
        return self.client.put(url, json=json, headers=self.headers, **kw)


@pytest.fixture
def api(stack_app):
    """An API client of a member on either stack."""
    return ApiClient(stack_app, factories.user(name="Ada"))


@pytest.fixture
def api_embedded(app):
    return ApiClient(app, factories.user(name="Ada"))


def fresh_request_globals():
    """Tests keep one app context pushed, so `g` outlives a request: drop the per-request CSRF token cache
    (flask-wtf keeps it on `g`), or a second client would be handed the first client's token."""
    from flask import g, has_app_context

    if has_app_context():
        g.pop("csrf_token", None)


def login(client, user) -> str:
    """Log a test client in through the real form; returns the CSRF token for later posts."""
    fresh_request_globals()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    r = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    fresh_request_globals()
    html = client.get("/w/").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


class Member:
    """A signed-in browser-like client: form posts carry the CSRF token."""

    def __init__(self, app, user):
        self.client = app.test_client()
        self.user = user
        self.csrf = login(self.client, user)

    def get(self, url, **kw):
        fresh_request_globals()
        return self.client.get(url, **kw)

    def post(self, url, data=None, **kw):
        fresh_request_globals()
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf)
        return self.client.post(url, data=data, **kw)

    def post_json(self, url, payload):
        fresh_request_globals()
        return self.client.post(url, json=payload, headers={"X-CSRFToken": self.csrf})


@pytest.fixture
def member(app):
    return Member(app, factories.user(name="Grace"))


def make_space(user, name="Engineering", slug="eng"):
    from webapp.services.wiki import spaces

    return spaces.create(user, name, slug)


def make_page(user, space, title, body="", parent_id=None):
    from webapp.services.wiki import pages

    return pages.create(user, space, title, body, parent_id=parent_id)


def xss_payloads() -> list[str]:
    """Every line of the shared XSS corpora; skip only in a clone without ../shared (fail in CI)."""
    if not XSS_DIR.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{XSS_DIR} missing in CI")
        pytest.skip("../shared/xss is not present in this clone")
    lines = []
    for path in sorted(Path(XSS_DIR).glob("*.txt")):
        lines += [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    assert len(lines) > 100, "the XSS corpora look truncated"
    return lines


# Our own cases: Markdown-specific routes to script, on top of the public corpora.
OWN_XSS = [
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "![img](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "[[<img src=x onerror=alert(1)>]]",
    "[[Title|<svg onload=alert(1)>]]",
    "{{video:abc\" onerror=\"alert(1)}}",
    "<span class=\"wiki-video\" data-video-id=\"x\" onmouseover=\"alert(1)\"></span>",
    "<h2 id=\"csrf-token\" onclick=alert(1)>x</h2>",
    "<p style=\"background:url(javascript:alert(1))\">styled</p>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<input type=\"text\" autofocus onfocus=\"alert(1)\">",
    "<details open ontoggle=alert(1)>",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<a href=\"https://attacker.invalid/x\" ping=\"https://attacker.invalid/ping\">ping</a>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"https://attacker.invalid/\">",
    "<object data=\"javascript:alert(1)\"></object>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
]
