"""Query words beside the words searched for: from:, in:, before:, after: (with type:), and what a bad one says."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests import factories
from tests.search.speech import said, video_saying
from webapp.errors import Invalid
from webapp.extensions import db
from webapp.services import search
from webapp.services.search import indexer
from webapp.services.wiki import pages, spaces


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {factories.token(user)}"}


def titles(viewer, q):
    return sorted(h.title for h in search.search(viewer, q))


def test_from_in_before_and_after_narrow_the_results(app):
    alice = factories.user("alice@example.com", name="Alice Smith")
    bob = factories.user("bob@example.com")
    eng = spaces.create(alice, "Engineering", "eng")
    ops = spaces.create(alice, "Ops", "ops")
    old = pages.create(alice, eng, "Old rollout plan", "the rollout of 2025")
    pages.create(bob, ops, "Bob rollout notes", "rollout by bob")
    video_saying(alice, "Rollout demo", [said(1.0, "the rollout went fine")])
    old.updated_at = datetime(2025, 6, 1)
    db.session.commit()
    indexer.run_once()
    everything = titles(alice, "rollout")
    assert everything == ["Bob rollout notes", "Old rollout plan", "Rollout demo", "Rollout demo"]
    # from: by email's local part or by display name (any case); videos by their owner.
    assert titles(alice, "rollout from:bob") == ["Bob rollout notes"]
    assert titles(alice, "from:alice rollout") == ["Old rollout plan", "Rollout demo", "Rollout demo"]
    assert titles(alice, "rollout from:ALICE") == titles(alice, "rollout from:alice")
    with pytest.raises(Invalid, match="nobody called 'smith'"):  # a name's first word, not any word of it
        search.search(alice, "rollout from:smith")
    # in: a space by slug or name: its pages only.
    assert titles(alice, "rollout in:eng") == ["Old rollout plan"]
    assert titles(alice, "rollout in:Ops") == ["Bob rollout notes"]
    # before:/after: on the last change.
    assert titles(alice, "rollout before:2026-01-01") == ["Old rollout plan"]
    assert "Old rollout plan" not in titles(alice, "rollout after:2025-12-31")
    assert titles(alice, "rollout type:page after:2025-01-01 before:2025-12-31") == ["Old rollout plan"]


def test_bad_query_words_say_why_on_the_page_and_in_the_api(app, client):
    alice = factories.user("alice@example.com")
    spaces.create(alice, "Engineering", "eng")
    indexer.run_once()
    for bad, why in [("from:nobody", "nobody called"), ("in:secret", "no space"), ("before:yesterday", "not a date"),
                     ("after:2026-13-01", "not a date"), ("from:", "needs a value"),
                     ("after:2026-02-01 before:2026-01-01", "nothing can be both")]:
        r = client.get("/api/v1/search", query_string={"q": f"plan {bad}"}, headers=bearer(alice))
        assert r.status_code == 400 and why in r.get_json()["error"], (bad, r.get_json())


def test_a_space_the_viewer_may_not_open_reads_as_missing(app, client, auth):
    auth.signup(email="me@example.com", name="Me")
    r = client.get("/search", query_string={"q": "plan in:nowhere"})
    assert r.status_code == 400
    assert "There is no space" in r.get_data(as_text=True)
    assert 'value="plan in:nowhere"' in r.get_data(as_text=True)
