"""The hidden space: the policy's space rule with per-space rights, as the sharing feature will bring them."""
from __future__ import annotations

import pytest
from sqlalchemy import and_, or_, true

from webapp import policy
from webapp.extensions import db
from webapp.models import Space

SECRET = "Hush"


@pytest.fixture
def hidden_space(monkeypatch):
    """The policy's space rule with per-space rights: spaces named Hush... are their creator's and admins'."""
    rule, visible = policy._space_rule, policy._visible_spaces

    def space_rule(principal, action, space):
        sp = space if isinstance(space, Space) else db.session.get(Space, space.id)
        if sp is not None and sp.name.startswith(SECRET) and policy.role(principal) != policy.ADMIN \
                and sp.created_by_id != policy._uid(principal):
            return False
        return rule(principal, action, space)

    def visible_spaces(principal):
        cond = visible(principal)
        if policy.role(principal) == policy.ADMIN:
            return cond
        return and_(cond, or_(~Space.name.startswith(SECRET), Space.created_by_id == policy._uid(principal))
                    if policy._uid(principal) is not None else ~Space.name.startswith(SECRET))

    monkeypatch.setattr(policy, "_space_rule", space_rule)
    monkeypatch.setattr(policy, "_visible_spaces", visible_spaces)
    assert visible(None) is not true()
