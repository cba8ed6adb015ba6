"""Fixtures for upload and API tests: accounts with API tokens, on whichever app the test uses."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests import factories


def _account(request, email: str, admin: bool = False) -> SimpleNamespace:
    # The account must live in the test's own app (embedded or the production stack).
    request.getfixturevalue("stack_app" if "stack_app" in request.fixturenames else "app")
    user = factories.user(email, admin=admin)
    return SimpleNamespace(user=user, id=user.id, token=factories.token(user))


@pytest.fixture
def owner(request):
    return _account(request, "owner@example.com")


@pytest.fixture
def stranger(request):
    return _account(request, "stranger@example.com")


@pytest.fixture
def admin(request):
    return _account(request, "admin@example.com", admin=True)
