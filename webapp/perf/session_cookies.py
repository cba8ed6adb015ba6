"""Flask's signed-cookie sessions, minus the repeated cost of checking and signing the same cookie."""
from __future__ import annotations

import threading
import time

from flask import request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature


def _flat(data) -> bool:
    return isinstance(data, dict) and all(isinstance(v, (str, int, float, bool, type(None))) for v in data.values())


class VerifiedCookieSessionInterface(SecureCookieSessionInterface):
    """Checking the cookie's signature (HMAC, base64, JSON) is a large part of every signed-in request's cost and a
    browser sends the same cookie again and again: remember what a cookie string that passed the check holds.
    Only an exact, already verified cookie string is a hit, and a hit still expires with the cookie's own max age.

    A remembered cookie is not a remembered sign-in: the user loader still compares the session's version with the
    user's (webapp.perf.user_cache), so a revoked session stays revoked even while its cookie is a hit here.
    """

    VERIFIED_MAX = 2048

    def __init__(self):
        self._verified: dict[str, tuple[float, dict]] = {}
        self._verified_lock = threading.Lock()
        self._serializer = None

    def get_signing_serializer(self, app):
        # Built once per key set rather than on every request (open and save each asked for a new one).
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = self._serializer
        if cached is None or cached[0] != keys:
            serializer = super().get_signing_serializer(app)
            if serializer is None:
                return None
            with self._verified_lock:
                self._verified.clear()  # verified with keys that may no longer be accepted
            self._serializer = cached = (keys, RecentDumps(serializer))
        return cached[1]

    def get_cookie_secure(self, app):
        # Secure whenever the request itself came over HTTPS, even if the setting is off.
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def open_session(self, app, request):
        val = request.cookies.get(self.get_cookie_name(app))
        serializer = self.get_signing_serializer(app)  # first: a change of keys empties the verified cookies
        if not val or serializer is None:
            return super().open_session(app, request)
        hit = self._verified.get(val)
        if hit is not None and hit[0] > time.time():
            return self.session_class(hit[1])  # a copy: the request may change its session
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(val, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        # Only flat values are shared between requests (flash lists and the like are not, so no request can alter
        # another's copy).
        if _flat(data):
            with self._verified_lock:
                if len(self._verified) >= self.VERIFIED_MAX:
                    self._verified.clear()
                self._verified[val] = (signed_at.timestamp() + max_age, dict(data))
        return self.session_class(data)


class RecentDumps:
    """A cookie serializer that signs the same flat session once per second instead of once per response.

    A client whose browser identity changed gets its session marked non-fresh on every response until it keeps the
    new cookie; the signature of the same data in the same second is the same, so re-signing it is wasted work.
    """

    def __init__(self, serializer):
        self._serializer = serializer
        self._recent: tuple | None = None

    def loads(self, *a, **kw):
        return self._serializer.loads(*a, **kw)

    def dumps(self, obj, salt=None):
        if salt is not None:
            return self._serializer.dumps(obj, salt)
        if not _flat(obj):
            return self._serializer.dumps(obj)
        # The type is part of the key: True == 1 in Python but not in the JSON that gets signed.
        key = (int(time.time()), tuple(sorted((k, type(v).__name__, v) for k, v in obj.items())))
        recent = self._recent
        if recent is not None and recent[0] == key:
            return recent[1]
        value = self._serializer.dumps(obj)
        self._recent = (key, value)
        return value
