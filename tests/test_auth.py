from sqlalchemy import select

from tests.conftest import PASSWORD
from webapp.models import User


def test_first_signup_becomes_admin_and_second_does_not(client, auth, app):
    r = auth.signup("first@example.com")
    assert r.status_code == 302
    auth.logout()
    r = auth.signup("second@example.com")
    assert r.status_code == 302
    users = {u.email: u for u in app.extensions["sqlalchemy"].session.scalars(select(User))}
    assert users["first@example.com"].is_admin
    assert not users["second@example.com"].is_admin
    assert users["first@example.com"].password_hash.startswith("scrypt:")
    assert PASSWORD not in users["first@example.com"].password_hash
