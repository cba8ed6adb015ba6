"""Transcripts: real speech (Debian's LibriVox clips) over a picture is transcribed after the video plays, with
word timings; no model means a ready video whose transcript says why and can be run again; a trim keeps it."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests import media
from tests.conftest import build_app, stack_env, wait_for
from tests.media_worker.conftest import fresh_video, jobs_of

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
SAID = "he was not an ill disposed young man"  # the second clip, as its reference transcription has it


def words_of(text: str) -> str:
    return " ".join(re.sub(r"[^a-z' ]", " ", text.lower()).split())


@pytest.fixture
def speech_video(tmp_path) -> tuple[Path, list[float]]:
    """The five clips joined (about 25 s) under a still slide, as an H.264/AAC MP4; and where each clip starts."""
    clips = sorted(LIBRIVOX.glob("*.wav"))
    if not clips:
        if os.environ.get("CI"):
            pytest.fail("pocketsphinx-testdata is missing: make test installs it")
        pytest.skip("Debian's pocketsphinx-testdata (real speech) is not installed; make test installs it")
    starts, at = [], 0.0
    for c in clips:
        starts.append(at)
        at += float(media.ffprobe(c)["format"]["duration"])
    out = tmp_path / "talk.mp4"
    inputs = [a for c in clips for a in ("-i", str(c))]
    joined = "".join(f"[{i + 1}:a]" for i in range(len(clips))) + f"concat=n={len(clips)}:v=0:a=1[a]"
    subprocess.run([*media.FF, "-f", "lavfi", "-i", f"color=c=0x1e3a8a:size=320x240:rate=10:duration={at:.2f}",
                    *inputs, "-filter_complex", joined, "-map", "0:v", "-map", "[a]", "-c:v", "libx264", "-preset",
                    "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(out)],
                   check=True, stdin=subprocess.DEVNULL, timeout=120)
    return out, starts


@pytest.fixture
def app(tmp_path, monkeypatch):
    """The embedded default with transcription on (the other tests leave it off: it costs seconds a video)."""
    app = build_app({**stack_env(tmp_path, "embedded"), "PARLEY_TRANSCRIBE": "1"}, monkeypatch)
    with app.app_context():
        yield app


def transcript_settled(video_id):
    from webapp.models import Transcript

    def done():
        fresh_video(video_id)  # a fresh session
        from webapp.extensions import db

        t = db.session.get(Transcript, video_id)
        return t if t is not None and t.state in ("done", "empty", "unavailable") else None

    return wait_for(done, timeout=240, interval=0.5, what="the transcript")


def test_speech_is_transcribed_after_the_video_plays_with_word_timings(app, make_worker, submit,
                                                                       speech_video, owner):
    from webapp.services import transcripts

    src, starts = speech_video
    make_worker(app)
    video_id = submit(src, "Reading Austen")
    t = transcript_settled(video_id)
    video = fresh_video(video_id)
    assert video.status == "ready" and t.state == "done", (t.state, t.reason)
    assert t.language == "en" and t.model == app.config["TRANSCRIBE_MODEL"]

    kinds = [(j.kind, j.state) for j in jobs_of(video_id)]
    assert kinds == [("ingest", "succeeded"), ("transcode", "succeeded"), ("transcribe", "succeeded")]
    transcribe_job = jobs_of(video_id)[-1]
    assert transcribe_job.started_at >= video.ready_at  # the video played before its words were read

    view = transcripts.view(video)
    said = words_of(" ".join(s["text"] for s in view["segments"]))
    assert SAID in said, said
    assert "dashwood" in said and "amiable" in said
    # Word timings: "disposed" (in the second clip, read in about 3 s) is timed inside that clip.
    words = [(a, b, words_of(w)) for s in view["segments"] for a, b, w in s["words"]]
    disposed = [a for a, _, w in words if w == "disposed"]
    assert disposed and starts[1] <= disposed[0] <= starts[2], (disposed, starts)
    assert all(0 <= a <= b <= video.duration + 0.5 for a, b, _ in words)
    assert [a for a, _, _ in words] == sorted(a for a, _, _ in words)

    # A trim keeps the transcript (same source: no second TRANSCRIBE) and shifts it into the trimmed time.
    from webapp.extensions import db
    from webapp.models import User
    from webapp.services import trims

    video = fresh_video(video_id)
    trims.set_trim(db.session.get(User, owner.id), video, start=starts[1], end=starts[3])
    wait_for(lambda: all(j.state == "succeeded" for j in jobs_of(video_id)), timeout=240, what="the trim's rebuild")
    assert [j.kind for j in jobs_of(video_id)].count("transcribe") == 1
    trimmed = transcripts.view(fresh_video(video_id))["segments"]
    assert trimmed[0]["start"] < 1.0 and SAID in words_of(trimmed[0]["text"] + " " + trimmed[-1]["text"])
    assert "dashwood" not in words_of(" ".join(s["text"] for s in trimmed))
    assert max(s["end"] for s in trimmed) <= starts[3] - starts[1] + 0.01


def test_without_a_model_the_video_is_ready_and_the_transcript_says_why_then_runs_again(
        app, make_worker, submit, speech_video, tmp_path, owner):
    from webapp.services import jobs, transcripts

    empty = tmp_path / "no-model-here"
    empty.mkdir()
    worker = make_worker(app, extra_env={"PARLEY_TRANSCRIBE_MODEL": str(empty)})
    video_id = submit(speech_video[0], "Talk")
    t = transcript_settled(video_id)
    assert fresh_video(video_id).status == "ready"
    assert t.state == "unavailable" and "no-model-here" in t.reason and "make install" in t.reason
    assert transcripts.view(fresh_video(video_id))["segments"] == []

    worker.terminate()
    worker.wait(timeout=30)
    make_worker(app)  # the model is back
    from webapp.extensions import db
    from webapp.models import User

    video = fresh_video(video_id)
    jobs.send(transcripts.rerun(db.session.get(User, owner.id), video))
    wait_for(lambda: (lambda t: t if t.state == "done" else None)(transcript_settled(video_id)), timeout=240,
             what="the second transcript")
    assert SAID in words_of(" ".join(s["text"] for s in transcripts.view(fresh_video(video_id))["segments"]))


def test_silent_and_soundless_videos(app, make_worker, submit, tmp_path):
    make_worker(app)
    mute = submit(media.h264_mp4(tmp_path / "mute.mp4", audio=False, seconds=2), "No sound")
    tone = submit(media.h264_mp4(tmp_path / "tone.mp4", seconds=3), "Only a tone")
    t = transcript_settled(tone)
    assert t.state == "empty"  # a sine tone is not speech: "No speech was found"
    wait_for(lambda: fresh_video(mute).status == "ready", timeout=120, what="the mute video")
    assert [j.kind for j in jobs_of(mute)] == ["ingest", "transcode"]  # nothing to transcribe, nothing queued
