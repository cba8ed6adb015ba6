"""Chapters: read from the description, proposed from pauses and screens, set by the owner, shifted by a trim."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.transcripts.conftest import make_transcript, ready_video
from webapp.extensions import db
from webapp.media_state import JobKind
from webapp.models import OutboxEvent
from webapp.models.screens import Chapter, Screen, ScreenScan
from webapp.services import chapters, jobs, transcripts
from webapp.services.transcripts import Words


@pytest.mark.parametrize("text, expected", [
    ("Agenda\n0:00 Intro\n1:05 - Setup\n(12:30) Q&A\n1:02:03 Wrap",
     [(0, "Intro"), (65, "Setup"), (750, "Q&A"), (3723, "Wrap")]),
    ("0:00 Intro", []),  # too few
    ("0:10 Intro\n1:00 Setup", []),  # not from 0:00
    ("0:00 Intro\n2:00 Setup\n1:00 Back", []),  # out of order
    ("0:00 Intro\n1:75 Setup", []),  # not a time
    ("No chapters here, just 3 words at 1:00.", []),
])
def test_description_chapters(text, expected):
    assert [(c["start"], c["title"]) for c in chapters.from_description(text)] == expected


def _speech(*starts):
    """One short sentence at each start (source seconds), so a pause follows each one."""
    return [(s, s + 3.0, f"Part at {int(s)} seconds begins now here.",
             [(s + i * 0.4, s + i * 0.4 + 0.3, w) for i, w in enumerate(f"Part at {int(s)} seconds begins now here.".split())])
            for s in starts]


def test_proposal_from_pauses_spaced_and_titled_by_first_words(people):
    video = ready_video(people.owner, duration=300.0)
    make_transcript(video, _speech(0, 10, 70, 80, 150, 240))
    assert chapters.propose(video)
    db.session.commit()
    got = chapters.view(video)
    assert got["source"] == "auto"
    assert [c["start"] for c in got["chapters"]] == [0, 70, 150, 240]  # 10 and 80 are too close to the last
    assert got["chapters"][1]["title"] == "Part at 70 seconds begins now"
    assert db.session.scalars(select(OutboxEvent.topic).where(OutboxEvent.subject == f"video:{video.id}")).all().count("video.updated") == 1


def test_no_proposal_for_a_short_video(people):
    video = ready_video(people.owner, duration=40.0)
    make_transcript(video, _speech(0, 20))
    chapters.propose(video)
    db.session.commit()
    assert chapters.view(video) == {"chapters": [], "source": "none"}


def test_screen_headings_name_chapters(people):
    video = ready_video(people.owner, duration=200.0)
    db.session.add(ScreenScan(video_id=video.id, state="done"))
    db.session.flush()
    for i, (start, heading) in enumerate([(0, "Welcome"), (60, "Roadmap 2027"), (75, ""), (130, "Questions")]):
        db.session.add(Screen(video_id=video.id, position=i, start=start, end=start + 10, heading=heading))
    db.session.commit()
    chapters.propose(video)
    db.session.commit()
    assert [(c["start"], c["title"]) for c in chapters.view(video)["chapters"]] == [
        (0, "Welcome"), (60, "Roadmap 2027"), (130, "Questions")]


def test_owner_chapters_win_and_are_never_overwritten(people):
    video = ready_video(people.owner, duration=300.0)
    make_transcript(video, _speech(0, 70, 150))
    chapters.propose(video)
    chapters.replace(people.owner, video, [{"start": 0, "title": "Hello"}, {"start": 100, "title": "Mine"}])
    assert not chapters.propose(video)
    db.session.commit()
    assert chapters.view(video) == {"source": "owner", "chapters": [
        {"start": 0.0, "title": "Hello", "origin": "owner"}, {"start": 100.0, "title": "Mine", "origin": "owner"}]}
    assert chapters.reset(people.owner, video)["source"] == "auto"


def test_description_wins_over_stored(people):
    video = ready_video(people.owner, duration=300.0, description="0:00 Start\n2:00 End")
    chapters.replace(people.owner, video, [{"start": 0, "title": "Hello"}, {"start": 100, "title": "Mine"}])
    got = chapters.view(video)
    assert got["source"] == "description" and [c["title"] for c in got["chapters"]] == ["Start", "End"]
    assert chapters.index_text(video) == "Start\nEnd"


def test_trim_shifts_stored_chapters(people):
    video = ready_video(people.owner, duration=300.0)
    for start, title in [(0, "A"), (20, "B"), (100, "C"), (250, "D")]:
        db.session.add(Chapter(video_id=video.id, start=start, title=title, origin="owner"))
    video.trim_start, video.trim_end, video.duration = 30.0, 200.0, 170.0
    db.session.commit()
    # before the trim's start collapse to 0 (the nearest names it), after its end go
    assert [(c["start"], c["title"]) for c in chapters.view(video)["chapters"]] == [(0.0, "B"), (70.0, "C")]
    # what the owner types is the viewer's time, stored as the source's
    chapters.replace(people.owner, video, [{"start": 0, "title": "X"}, {"start": 10, "title": "Y"}])
    assert sorted(db.session.scalars(select(Chapter.start).where(Chapter.video_id == video.id))) == [30.0, 40.0]


def test_the_transcript_worker_proposes_chapters_but_keeps_the_owners(people):
    def run(video):
        make_transcript(video, state="running", progress=50)
        job = jobs.create(video.id, JobKind.TRANSCRIBE)
        db.session.commit()
        words = [Words(s, e, t, [(a, b, " " + w) for a, b, w in ws]) for s, e, t, ws in _speech(0, 70, 150)]
        transcripts.finish(jobs.claim(job.id, "test-worker"), video.id, segments=words, language="en", model="t")

    proposed = ready_video(people.owner, duration=200.0)
    run(proposed)
    assert [c["start"] for c in chapters.view(proposed)["chapters"]] == [0, 70, 150]

    kept = ready_video(people.owner, duration=200.0)
    chapters.replace(people.owner, kept, [{"start": 0, "title": "Mine"}, {"start": 20, "title": "Also mine"}])
    run(kept)
    assert [c["title"] for c in chapters.view(kept)["chapters"]] == ["Mine", "Also mine"]
