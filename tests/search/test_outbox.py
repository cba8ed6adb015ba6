"""The outbox: a change and its announcement commit together, are delivered at least once, and nothing else."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from webapp.extensions import db
from webapp.models import OutboxDelivery, OutboxEvent
from webapp.services import outbox
from webapp.services.wiki import pages, spaces


def _topics(subscriber):
    return [e.topic for _, e in outbox.pending(subscriber)]


def test_a_rolled_back_change_announces_nothing(stack_app):
    user = factories.user()
    space = spaces.create(user, "Ops", "ops")
    before = db.session.scalar(select(func.count(OutboxEvent.id)))
    pending = _topics("search")
    pages.create(user, space, "Draft idea", "text", commit=False)
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxEvent.id))) == before
    assert _topics("search") == pending == ["page.created", "space.created"]  # the space and its home page


def test_a_committed_change_waits_for_every_subscriber_until_delivered(stack_app):
    user = factories.user()
    video_id = factories.video(user, "Demo").id
    outbox.announce("video.ready", f"video:{video_id}", video_id=video_id)
    db.session.commit()
    db.session.remove()  # as if the process had died right after the commit: the rows are all there is
    assert _topics("search") == ["video.ready"]
    assert _topics("page_cache") == ["video.ready"]
    seen = []
    assert outbox.deliver("search", handler=lambda events: seen.extend(e.subject for e in events)) == 1
    assert seen == [f"video:{video_id}"]
    assert _topics("search") == []
    assert _topics("page_cache") == ["video.ready"]  # each subscriber has its own delivery


def test_a_failing_handler_keeps_the_batch_and_says_why(stack_app):
    user = factories.user()
    video = factories.video(user, "Demo")
    outbox.announce("video.updated", f"video:{video.id}", video_id=video.id)
    db.session.commit()

    def broken(_events):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        outbox.deliver("page_cache", handler=broken)
    row = db.session.scalar(select(OutboxDelivery).where(OutboxDelivery.subscriber == "page_cache"))
    assert row.delivered_at is None and row.attempts == 1 and "disk full" in row.last_error
    got = []
    assert outbox.deliver("page_cache", handler=lambda events: got.extend(events)) == 1  # delivered again
    assert [e.topic for e in got] == ["video.updated"]


def test_delivered_events_are_pruned_after_they_are_kept(stack_app):
    user = factories.user()
    video = factories.video(user, "Demo")
    outbox.announce("video.deleted", f"video:{video.id}", video_id=video.id)
    db.session.commit()
    assert outbox.prune(older_than=timedelta(0)) == 0  # still owed to its subscribers
    for name in outbox.SUBSCRIPTIONS:
        outbox.deliver(name, handler=lambda events: None)
    assert outbox.prune(older_than=timedelta(days=1)) == 0  # delivered, but young
    assert outbox.prune(older_than=timedelta(0)) == 1
    assert db.session.scalar(select(func.count(OutboxDelivery.id))) == 0


def test_unknown_topics_are_refused(app):
    with pytest.raises(ValueError):
        outbox.announce("page.exploded", "page:1")
