"""Forms tell a person everything that is wrong at once, next to the field, and keep what was typed."""
from __future__ import annotations

import re

from tests import factories
from tests.conftest import csrf_token


def field_error(html: str, field_id: str) -> str | None:
    """The error a screen reader reads for the field: the element its aria-describedby names."""
    tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html)
    assert tag, f"no field {field_id}"
    described = re.search(r'aria-describedby="([^"]+)"', tag.group(0))
    if not described:
        return None
    assert 'aria-invalid="true"' in tag.group(0)
    error = re.search(rf'id="{described.group(1)}">([^<]*)<', html)
    assert error, "aria-describedby names nothing on the page"
    return error.group(1)


def test_signup_shows_every_problem_next_to_its_field(client):
    factories.user("taken@example.com")  # not the first account: an open sign-up
    r = client.post("/signup", data={"display_name": "Sam", "email": "not-an-email", "password": "short",
                                     "csrf_token": csrf_token(client)})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "valid email address" in field_error(html, "signup-email")
    assert "at least 10 characters" in field_error(html, "signup-password")
    assert field_error(html, "signup-name") is None
    assert "Please correct the 2 problems below." in html
    assert 'value="not-an-email"' in html and 'value="Sam"' in html  # what was typed stays


def test_signup_names_a_taken_email_and_a_guessable_password_together(client):
    factories.user("taken@example.com")
    r = client.post("/signup", data={"email": "Taken@example.com", "password": "password123",
                                     "csrf_token": csrf_token(client)})
    html = r.get_data(as_text=True)
    assert "already exists" in field_error(html, "signup-email")
    assert "stronger password" in field_error(html, "signup-password")


def test_signup_with_empty_fields(client):
    r = client.post("/signup", data={"csrf_token": csrf_token(client)})
    html = r.get_data(as_text=True)
    assert field_error(html, "signup-email") == "Enter your email."
    assert field_error(html, "signup-password") == "Enter your password."


def test_a_good_signup_still_works(client):
    r = client.post("/signup", data={"email": "new@example.com", "password": "correct horse battery staple",
                                     "csrf_token": csrf_token(client)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/videos")
