"""The verified-cookie cache and the once-per-second signer change nothing a client can observe but the cost."""
from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, session

from webapp.perf.session_cookies import RecentDumps, VerifiedCookieSessionInterface


def _app(secret="first secret") -> Flask:
    app = Flask(__name__)
    app.secret_key = secret
    app.session_interface = VerifiedCookieSessionInterface()

    @app.post("/set/<value>")
    def set_value(value):
        session["v"] = value
        return "ok"

    @app.get("/get")
    def get_value():
        return session.get("v", "-")

    @app.post("/mutate")
    def mutate():
        session["v"] = session.get("v", "") + "!"
        return session["v"]

    return app


def test_a_verified_cookie_is_remembered_and_each_request_gets_its_own_copy():
    app = _app()
    c = app.test_client()
    c.post("/set/hello")
    cookie = c.get_cookie("session").value
    assert c.get("/get").text == "hello"
    assert cookie in app.session_interface._verified
    assert c.post("/mutate").text == "hello!"  # a change in one request ...
    c.set_cookie("session", cookie)
    assert c.get("/get").text == "hello"  # ... does not leak into the remembered copy


def test_a_forged_or_expired_cookie_is_not_a_hit():
    app = _app()
    c = app.test_client()
    c.post("/set/hello")
    genuine = c.get_cookie("session").value
    assert c.get("/get").text == "hello"
    c.set_cookie("session", genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"))
    assert c.get("/get").text == "-"
    c.set_cookie("session", genuine)
    app.session_interface._verified[genuine] = (time.time() - 1, {"v": "stale copy"})
    assert c.get("/get").text == "hello"  # an expired hit is verified again, not trusted


def test_a_remembered_cookie_still_expires_with_its_max_age():
    app = _app()
    app.permanent_session_lifetime = timedelta(seconds=1)
    c = app.test_client()
    c.post("/set/hello")
    assert c.get("/get").text == "hello"
    assert c.get_cookie("session").value in app.session_interface._verified
    time.sleep(2.1)
    assert c.get("/get").text == "-"


def test_a_new_secret_key_forgets_every_verified_cookie():
    app = _app()
    c = app.test_client()
    c.post("/set/hello")
    assert c.get("/get").text == "hello"
    app.secret_key = "rotated secret"
    assert c.get("/get").text == "-"  # signed with a key no longer accepted
    assert not app.session_interface._verified


def test_recent_dumps_signs_the_same_flat_data_once_per_second_and_keeps_types_apart():
    calls = []

    class Counting:
        def dumps(self, obj, salt=None):
            calls.append(obj)
            return f"signed:{sorted(obj.items())}:{len(calls)}"

        def loads(self, value, **kw):
            return value

    dumps = RecentDumps(Counting())
    first = dumps.dumps({"a": 1})
    assert dumps.dumps({"a": 1}) == first and len(calls) == 1
    assert dumps.dumps({"a": True}) != first  # True == 1 in Python, but not in the signed JSON
    assert dumps.dumps({"a": [1]}) != dumps.dumps({"a": [1]})  # nested values are always signed afresh
