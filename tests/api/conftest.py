"""API tests use the same accounts (owner, stranger, admin with API tokens) as the upload tests."""
from tests.uploads.conftest import admin, owner, stranger  # noqa: F401
