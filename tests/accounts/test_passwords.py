"""New passwords that are common, breached or trivially guessable are refused with a message that says why."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.accounts.conftest import Browser
from webapp.extensions import db
from webapp.models import User


@pytest.mark.parametrize("weak, why", [("aaaaaaaaaa", "Repeats"), ("password12", "very common"),
                                       ("qwertyuiop", "common password"), ("newcomer@example.com", "")])
def test_signup_refuses_guessable_passwords(app, weak, why):
    b = Browser(app.test_client())
    r = b.signup("newcomer@example.com", password=weak)
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Choose a stronger password" in html and why in html
    assert db.session.scalar(select(User)) is None


def test_signup_accepts_a_passphrase(app):
    assert Browser(app.test_client()).signup("ok@example.com", password="plum orbit lantern seven").status_code == 302


def test_cli_refuses_a_weak_password_too(app):
    out = app.test_cli_runner().invoke(args=["users", "create", "--email", "ops@example.com",
                                             "--password", "password12"])
    assert out.exit_code != 0 and "stronger password" in out.output
