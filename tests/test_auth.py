"""Accounts as a person meets them: sign-up, log in, log out, rate limit, cookies, CSRF, tokens, invitations."""
import re

from click.testing import CliRunner
from sqlalchemy import select

from tests import factories
from tests.conftest import PASSWORD, csrf_token
from webapp.extensions import db
from webapp.models import User


def test_first_signup_becomes_admin_and_second_does_not(client, auth):
    assert client.get("/").headers["Location"].endswith("/signup")
    assert "administrator" in client.get("/signup").get_data(as_text=True)
    assert auth.signup("first@example.com").status_code == 302
    auth.logout()
    assert auth.signup("second@example.com").status_code == 302
    users = {u.email: u for u in db.session.scalars(select(User))}
    assert users["first@example.com"].is_admin
    assert not users["second@example.com"].is_admin
    assert users["first@example.com"].password_hash.startswith("scrypt:")
    assert PASSWORD not in users["first@example.com"].password_hash


def test_signup_rejects_short_password_and_duplicate_email(client, auth):
    r = client.post("/signup", data={"email": "a@example.com", "password": "short", "csrf_token": csrf_token(client)})
    assert r.status_code == 400 and "at least 10 characters" in r.get_data(as_text=True)
    auth.signup("a@example.com")
    auth.logout()
    r = auth.signup("A@Example.com")
    assert r.status_code == 400 and "already exists" in r.get_data(as_text=True)


def test_login_logout_and_wrong_password_does_not_reveal_accounts(client, auth):
    factories.user("known@example.com")
    r_known = auth.login("known@example.com", "wrong password!!")
    r_unknown = auth.login("nobody@example.com", "wrong password!!")
    assert r_known.status_code == r_unknown.status_code == 401
    msg = "That email and password do not match an account."
    assert msg in r_known.get_data(as_text=True) and msg in r_unknown.get_data(as_text=True)
    assert auth.login("known@example.com").status_code == 302
    assert client.get("/videos").status_code == 200
    auth.logout()
    assert client.get("/videos").status_code == 302


def test_login_is_rate_limited_per_account_and_address(app, client, auth):
    factories.user("victim@example.com")
    for _ in range(app.config["LOGIN_MAX_ATTEMPTS"]):
        assert auth.login("victim@example.com", "guess guess guess").status_code == 401
    r = auth.login("victim@example.com")  # from this address even the right password waits out the window
    assert r.status_code == 429 and "Too many failed attempts" in r.get_data(as_text=True)
    # (other addresses are not blocked: tests/accounts/test_login_limits.py)


def test_forms_without_csrf_token_are_rejected(client):
    factories.user("x@example.com")
    r = client.post("/login", data={"email": "x@example.com", "password": PASSWORD})
    assert r.status_code == 400
    assert "session" not in r.headers.get("Set-Cookie", "") or "x@example.com" not in r.get_data(as_text=True)
    assert client.get("/videos").status_code == 302  # still logged out


def test_session_cookie_is_httponly_lax_and_secure_over_https(app):
    factories.user("c@example.com")
    c = app.test_client()
    for scheme, secure in (("http", False), ("https", True)):
        base = f"{scheme}://localhost"
        token = re.search(r'name="csrf-token" content="([^"]+)"', c.get(base + "/login").get_data(as_text=True))[1]
        r = c.post(base + "/login", data={"email": "c@example.com", "password": PASSWORD, "csrf_token": token},
                   headers={"Referer": base + "/login"})
        assert r.status_code == 302, r.get_data(as_text=True)
        cookie = [h for h in r.headers.getlist("Set-Cookie") if h.startswith("session=")][-1]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure


def test_login_redirect_never_leaves_the_site(client):
    factories.user("r@example.com")
    token = csrf_token(client)
    r = client.post("/login?next=//evil.example/x", data={"email": "r@example.com", "password": PASSWORD,
                                                         "csrf_token": token})
    assert r.headers["Location"] == "/videos"


def test_invite_only_signup(app, client, auth):
    app.config["SIGNUP"] = "invite"
    factories.user("boss@example.com", admin=True)
    r = auth.signup("guest@example.com")
    assert r.status_code == 400 and "invitation only" in r.get_data(as_text=True)
    out = CliRunner().invoke(app.cli, ["users", "invite", "--email", "guest@example.com"], obj=None)
    token = out.output.strip().split("invite=")[1]
    r = client.post(f"/signup?invite={token}", data={"email": "guest@example.com", "password": PASSWORD,
                                                     "csrf_token": csrf_token(client), "invite": token})
    assert r.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "guest@example.com")) is not None


def test_cli_creates_users_and_tokens_that_authenticate(app):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["users", "create", "--email", "ops@example.com", "--password", PASSWORD, "--admin"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(args=["tokens", "create", "--email", "ops@example.com"])
    token = out.output.strip()
    c = app.test_client()
    assert c.get("/videos").status_code == 302
    assert c.get("/videos", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert c.get("/videos", headers={"Authorization": "Bearer pt_wrong"}).status_code == 302
    out = runner.invoke(args=["tokens", "create", "--email", "missing@example.com"])
    assert out.exit_code != 0 and "no account" in out.output


def test_demoting_an_admin_takes_effect_on_the_next_request(app, client, auth):
    """The signed-in user is cached briefly per process; a change to the account clears it."""
    boss = factories.user("boss2@example.com", admin=True)
    auth.login("boss2@example.com")
    html = client.get("/videos").get_data(as_text=True)
    assert "(admin)" in html
    boss.is_admin = False
    db.session.commit()
    assert "(admin)" not in client.get("/videos").get_data(as_text=True)
    db.session.delete(boss)
    db.session.commit()
    assert client.get("/videos").status_code == 302  # a deleted account is logged out at once
