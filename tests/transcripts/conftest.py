"""Transcripts made straight in the database (no speech model needed), and the people who look at them."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests import factories
from tests.wiki.conftest import ApiClient, Member
from webapp.extensions import db
from webapp.models import OutboxEvent, Transcript, TranscriptSegment

# Source seconds; word timings as the worker stores them.
SPOKEN = [
    (0.5, 2.9, "Welcome to the roadmap review.",
     [(0.5, 1.0, "Welcome"), (1.0, 1.2, "to"), (1.2, 1.4, "the"), (1.4, 2.0, "roadmap"), (2.0, 2.9, "review.")]),
    (3.2, 5.0, "Shipping comes first.",
     [(3.2, 3.9, "Shipping"), (3.9, 4.3, "comes"), (4.3, 5.0, "first.")]),
    (6.0, 8.4, "Then search, then sharing.",
     [(6.0, 6.5, "Then"), (6.5, 7.2, "search,"), (7.2, 7.6, "then"), (7.6, 8.4, "sharing.")]),
]


def make_transcript(video, segments=SPOKEN, *, state="done", progress=100, reason=None, origin="auto",
                    language="en") -> Transcript:
    """A Transcript row with its segments: (start, end, text, [(start, end, word), ...]) in source seconds."""
    t = Transcript(video_id=video.id, state=state, progress=progress, reason=reason, origin=origin,
                   language=language, model="test", source_sha1=video.source_sha1)
    db.session.add(t)
    for i, (start, end, text, words) in enumerate(segments):
        t.segments.append(TranscriptSegment(video_id=video.id, position=i, start=start, end=end, text=text,
                                            words_json=json.dumps([list(w) for w in words])))
    db.session.commit()
    return t


def stored_texts(video) -> list[str]:
    db.session.expire_all()
    t = db.session.get(Transcript, video.id)
    return [s.text for s in t.segments] if t else []


def transcribed_events(video) -> int:
    return len(db.session.scalars(select(OutboxEvent.id).where(
        OutboxEvent.topic == "video.transcribed", OutboxEvent.subject == f"video:{video.id}")).all())


@pytest.fixture
def people(request):
    """owner, another member and an admin, each as a signed-in browser and as an API client."""
    app = request.getfixturevalue("stack_app" if "stack_app" in request.fixturenames else "app")
    owner = factories.user(name="Olive")
    other = factories.user(name="Oscar")
    admin = factories.user(admin=True, name="Ada")

    class People:
        pass

    p = People()
    p.app, p.owner, p.other, p.admin = app, owner, other, admin
    p.owner_web, p.other_web = Member(app, owner), Member(app, other)
    p.owner_api, p.other_api, p.admin_api = ApiClient(app, owner), ApiClient(app, other), ApiClient(app, admin)
    return p


def ready_video(owner, title="Roadmap review", *, visibility="team", **fields):
    fields = {"status": "ready", "duration": 10.0, "has_audio": True, "source_sha1": "a" * 40, **fields}
    return factories.video(owner, title, visibility=visibility, **fields)
