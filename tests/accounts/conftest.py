"""Several browsers at once: each gets its own CSRF token (tests share one app context, and so one `g`)."""
from __future__ import annotations

from tests.conftest import Auth, csrf_token
from tests.wiki.conftest import fresh_request_globals


class Browser(Auth):
    def __init__(self, client):
        super().__init__(client)

    def token(self) -> str:
        fresh_request_globals()
        return csrf_token(self.client)

    def login(self, *a, **kw):
        fresh_request_globals()
        return super().login(*a, **kw)

    def logout(self):
        fresh_request_globals()
        return super().logout()

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, **kw):
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token()}, **kw)
