"""Trim and owner-edit tests use the accounts of the upload tests (owner, stranger, admin with API tokens)."""
from tests.uploads.conftest import admin, owner, stranger  # noqa: F401
