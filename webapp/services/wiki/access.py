"""Who may do what in the wiki: one function, so per-space permissions can replace it later."""
from __future__ import annotations

READ, EDIT, CREATE_SPACE, DELETE_SPACE = "read", "edit", "create_space", "delete_space"


def can(user, action: str, space=None) -> bool:
    """A team wiki for now: every signed-in member reads and edits every space; admins delete spaces."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if action in (READ, EDIT, CREATE_SPACE):
        return True
    if action == DELETE_SPACE:
        return bool(user.is_admin)
    return False
