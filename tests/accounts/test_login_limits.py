"""The login rate limit counts atomically, per (account, address), and never locks the owner out."""
from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from tests import factories
from tests.accounts.conftest import Browser
from tests.conftest import PASSWORD, build_app, stack_env
from webapp.services import accounts


def _from(app, address: str) -> Browser:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Browser(client)


def test_thirty_parallel_bad_logins_get_at_most_the_limit_of_401s(app, live_server):
    factories.user("target@example.com")
    html = requests.get(live_server.url + "/login", timeout=10)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html.text)[1]
    cookie = "session=" + html.cookies["session"]

    def attempt(i):
        r = requests.post(live_server.url + "/login", timeout=30, allow_redirects=False,
                          headers={"Cookie": cookie},
                          data={"email": "target@example.com", "password": f"wrong guess number {i}",
                                "csrf_token": token})
        return r.status_code

    with ThreadPoolExecutor(max_workers=30) as pool:
        codes = list(pool.map(attempt, range(30)))
    limit = app.config["LOGIN_MAX_ATTEMPTS"]
    assert codes.count(401) <= limit, codes
    assert codes.count(401) + codes.count(429) == 30, codes
    assert codes.count(429) >= 30 - limit


def test_failures_from_one_address_do_not_lock_the_owner_out_elsewhere(app):
    factories.user("owner@example.com")
    attacker, owner = _from(app, "203.0.113.7"), _from(app, "198.51.100.20")
    for _ in range(app.config["LOGIN_MAX_ATTEMPTS"]):
        assert attacker.login("owner@example.com", "guess guess guess").status_code == 401
    r = attacker.login("owner@example.com")  # the attacker's address waits out the window, even if it guesses right
    assert r.status_code == 429 and "Too many failed attempts" in r.get_data(as_text=True)
    assert owner.login("owner@example.com").status_code == 302  # the owner's address never failed


def test_a_correct_password_resets_the_count_of_its_address(app):
    factories.user("typo@example.com")
    b = _from(app, "192.0.2.1")
    for _ in range(app.config["LOGIN_MAX_ATTEMPTS"] - 1):
        assert b.login("typo@example.com", "fat fingers again").status_code == 401
    assert b.login("typo@example.com").status_code == 302
    b.logout()
    for _ in range(app.config["LOGIN_MAX_ATTEMPTS"] - 1):
        assert b.login("typo@example.com", "fat fingers again").status_code == 401
    assert b.login("typo@example.com").status_code == 302


def test_many_addresses_failing_on_one_account_slow_it_down_but_do_not_block_it(app):
    app.config.update(LOGIN_ACCOUNT_MAX_ATTEMPTS=3, LOGIN_SLOWDOWN_SECONDS=0.6)
    accounts.init_login_limits(app)  # the limits are read at start-up
    factories.user("popular@example.com")
    for i in range(3):
        started = time.monotonic()
        assert _from(app, f"203.0.113.{i + 1}").login("popular@example.com", "nope nope nope").status_code == 401
        assert time.monotonic() - started < 0.6
    started = time.monotonic()
    assert _from(app, "198.51.100.99").login("popular@example.com").status_code == 302
    assert time.monotonic() - started >= 0.6


def test_the_count_is_shared_by_every_web_process_in_production(tmp_path, monkeypatch):
    """Production keeps the counters in the broker's Redis; two apps on the same settings stand for two processes.
    (The embedded default counts in memory, per process.)"""
    env = stack_env(tmp_path, "production")
    stack_app, other = build_app(env, monkeypatch), build_app(env, monkeypatch)
    ctx = stack_app.app_context()
    ctx.push()
    try:
        _shared_count(stack_app, other)
    finally:
        ctx.pop()


def _shared_count(stack_app, other):
    factories.user("shared@example.com")
    here, there = _from(stack_app, "203.0.113.50"), _from(other, "203.0.113.50")
    limit = stack_app.config["LOGIN_MAX_ATTEMPTS"]
    for i in range(limit):
        assert (here if i % 2 else there).login("shared@example.com", "guess guess guess").status_code == 401
    assert here.login("shared@example.com", PASSWORD).status_code == 429
    assert there.login("shared@example.com", PASSWORD).status_code == 429
    assert _from(other, "198.51.100.50").login("shared@example.com").status_code == 302
