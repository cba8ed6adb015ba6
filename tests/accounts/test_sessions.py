"""Sessions end on the server: logout, password change, sign-out everywhere and deactivation stop every copy of
the cookie at once, in this process and in every other one."""
from __future__ import annotations

from tests import factories
from tests.accounts.conftest import Browser
from tests.conftest import PASSWORD, build_app
from webapp.extensions import db
from webapp.models import User
from webapp.services import accounts

NEW_PASSWORD = "violet kettle under the stairs"


def _signed_in(app, email) -> tuple[Browser, str]:
    b = Browser(app.test_client())
    assert b.login(email).status_code == 302
    assert b.get("/videos").status_code == 200
    return b, b.client.get_cookie("session").value


def test_a_cookie_saved_before_logout_opens_nothing_after_it(app):
    factories.user("leaver@example.com")
    b, saved = _signed_in(app, "leaver@example.com")
    assert b.get("/videos").status_code == 200  # the saved cookie is now a verified-cookie cache hit too
    assert b.logout().status_code == 302
    b.client.set_cookie("session", saved)
    assert b.get("/videos").status_code == 302
    _signed_in(app, "leaver@example.com")  # logging in again gives a cookie that opens pages


def test_logout_ends_the_other_browsers_of_the_account_too(app):
    factories.user("two@example.com")
    laptop, _ = _signed_in(app, "two@example.com")
    phone, _ = _signed_in(app, "two@example.com")
    laptop.logout()
    assert phone.get("/videos").status_code == 302


def test_password_change_keeps_this_browser_and_ends_the_others(app):
    factories.user("changer@example.com")
    other, _ = _signed_in(app, "changer@example.com")
    b, saved = _signed_in(app, "changer@example.com")
    page = b.get("/account")
    assert page.status_code == 200 and "Change your password" in page.get_data(as_text=True)
    r = b.post("/account", data={"current_password": "not my password", "new_password": NEW_PASSWORD})
    assert r.status_code == 400 and "current password is not right" in r.get_data(as_text=True)
    r = b.post("/account", data={"current_password": PASSWORD, "new_password": "password12"})
    assert r.status_code == 400 and "stronger password" in r.get_data(as_text=True)
    assert other.get("/videos").status_code == 200  # refused changes end nothing
    r = b.post("/account", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 302
    assert b.get("/videos").status_code == 200  # this browser stays signed in
    assert other.get("/videos").status_code == 302  # the other one does not
    b.client.set_cookie("session", saved)
    assert b.get("/videos").status_code == 302  # nor does the cookie from before the change
    fresh = Browser(app.test_client())
    assert fresh.login("changer@example.com", PASSWORD).status_code == 401
    assert fresh.login("changer@example.com", NEW_PASSWORD).status_code == 302


def test_sign_out_everywhere_from_the_account_page_and_from_the_cli(app):
    factories.user("lost@example.com")
    b, saved = _signed_in(app, "lost@example.com")
    r = b.post("/account/sign-out-everywhere")
    assert r.status_code == 302 and b.get("/videos").status_code == 302
    b.client.set_cookie("session", saved)
    assert b.get("/videos").status_code == 302
    b, _ = _signed_in(app, "lost@example.com")
    out = app.test_cli_runner().invoke(args=["users", "sign-out", "--email", "lost@example.com"])
    assert out.exit_code == 0, out.output
    assert b.get("/videos").status_code == 302
    out = app.test_cli_runner().invoke(args=["users", "sign-out", "--email", "nobody@example.com"])
    assert out.exit_code != 0 and "No account" in out.output


def test_cli_set_password_ends_sessions_and_refuses_weak_ones(app):
    factories.user("reset@example.com")
    b, _ = _signed_in(app, "reset@example.com")
    runner = app.test_cli_runner()
    out = runner.invoke(args=["users", "set-password", "--email", "reset@example.com", "--password", "aaaaaaaaaa"])
    assert out.exit_code != 0 and "stronger password" in out.output
    assert b.get("/videos").status_code == 200  # a refused reset changes nothing
    out = runner.invoke(args=["users", "set-password", "--email", "reset@example.com", "--password", NEW_PASSWORD])
    assert out.exit_code == 0, out.output
    assert b.get("/videos").status_code == 302
    assert b.login("reset@example.com", NEW_PASSWORD).status_code == 302


def test_deactivated_users_cannot_log_in_or_use_sessions_or_tokens(app):
    user = factories.user("gone@example.com")
    bearer = {"Authorization": f"Bearer {factories.token(user)}"}
    b, _ = _signed_in(app, "gone@example.com")
    assert b.logout().status_code == 302
    assert app.test_client().get("/api/v1/videos", headers=bearer).status_code == 200  # tokens outlive a logout
    b, _ = _signed_in(app, "gone@example.com")
    runner = app.test_cli_runner()
    out = runner.invoke(args=["users", "deactivate", "--email", "gone@example.com"])
    assert out.exit_code == 0, out.output
    assert b.get("/videos").status_code == 302
    assert app.test_client().get("/api/v1/videos", headers=bearer).status_code == 401
    r = b.login("gone@example.com")
    assert r.status_code == 403 and "deactivated" in r.get_data(as_text=True)
    assert b.login("gone@example.com", "wrong password!!").status_code == 401  # nothing more for a guesser
    out = runner.invoke(args=["users", "reactivate", "--email", "gone@example.com"])
    assert out.exit_code == 0, out.output
    assert app.test_client().get("/api/v1/videos", headers=bearer).status_code == 200
    assert b.login("gone@example.com").status_code == 302


def test_a_session_ended_in_one_process_is_ended_in_another_at_once(stack_app, monkeypatch):
    """Two apps on one database stand for two web processes, each with its own user cache."""
    other = build_app(stack_app.parley_env, monkeypatch)
    user = factories.user("roaming@example.com", admin=True)
    b, _ = _signed_in(other, "roaming@example.com")
    assert "(admin)" in b.get("/videos").get_data(as_text=True)  # now in the other process's user cache
    # A demotion made here shows there on the next request, not after the cache's few seconds.
    db.session.get(User, user.id).is_admin = False
    db.session.commit()
    assert "(admin)" not in b.get("/videos").get_data(as_text=True)
    accounts.end_sessions(db.session.get(User, user.id))
    assert b.get("/videos").status_code == 302


def test_api_tokens_outlive_sign_outs_until_revoked(app):
    user = factories.user("script@example.com")
    keep, drop = factories.token(user), accounts.create_token(user, "laptop")
    accounts.end_sessions(user)
    accounts.set_password(user, NEW_PASSWORD)
    for token in (keep, drop):
        assert app.test_client().get("/api/v1/videos", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    out = app.test_cli_runner().invoke(args=["tokens", "revoke", "--email", "script@example.com", "--name", "laptop"])
    assert out.exit_code == 0 and "revoked 1 token" in out.output, out.output
    assert app.test_client().get("/api/v1/videos", headers={"Authorization": f"Bearer {drop}"}).status_code == 401
    assert app.test_client().get("/api/v1/videos", headers={"Authorization": f"Bearer {keep}"}).status_code == 200
