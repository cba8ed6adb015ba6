"""The issue's whole path on real parts: a talk (real recorded speech, Debian's LibriVox clips) over slides is
uploaded, played, transcribed and its screens read; a phrase that was said and a word that was only on a slide
are each one search away, and the hit opens the video within 2 s of the moment; another member never learns of it
once it is private."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import media
from tests.conftest import build_app, stack_env
from tests.media_worker.conftest import fresh_video, logged_in_client, owner, submit, wait_settled  # noqa: F401
from tests.media_worker.test_transcribe import LIBRIVOX, transcript_settled
from tests.screens.conftest import SLIDES, scan_settled, slides_mp4


@pytest.fixture
def app(tmp_path, monkeypatch):
    app = build_app({**stack_env(tmp_path, "embedded"), "PARLEY_TRANSCRIBE": "1", "PARLEY_SCREENS": "1"},
                    monkeypatch)
    with app.app_context():
        yield app


@pytest.fixture
def talk(tmp_path) -> tuple[Path, list[tuple[float, float, list[str]]]]:
    """The five clips joined under the slide deck; and each clip's (start, length, words) from its reference."""
    clips = sorted(LIBRIVOX.glob("*.wav"))
    if not clips:
        if os.environ.get("CI"):
            pytest.fail("pocketsphinx-testdata is missing: make test installs it")
        pytest.skip("Debian's pocketsphinx-testdata (real speech) is not installed; make test installs it")
    said = {}
    for line in (LIBRIVOX / "transcription").read_text().splitlines():
        m = re.match(r"<s> (.*) </s> \((.*)\)", line.strip())
        if m:
            said[m.group(2)] = m.group(1).split()
    parts, at = [], 0.0
    for c in clips:
        length = float(media.ffprobe(c)["format"]["duration"])
        parts.append((at, length, said[c.stem]))
        at += length
    deck = slides_mp4(tmp_path / "deck.mp4", seconds=at)
    out = tmp_path / "talk.mp4"
    joined = "".join(f"[{i + 1}:a]" for i in range(len(clips))) + f"concat=n={len(clips)}:v=0:a=1[a]"
    subprocess.run([*media.FF, "-i", str(deck), *[a for c in clips for a in ("-i", str(c))], "-filter_complex",
                    joined, "-map", "0:v", "-map", "[a]", "-c:v", "copy", "-c:a", "aac", "-shortest", str(out)],
                   check=True, stdin=subprocess.DEVNULL, timeout=120)
    return out, parts


def when_said(parts, word: str) -> float:
    """About when `word` is said: its place among its clip's words, spread over the clip (speech keeps a pace)."""
    for start, length, words in parts:
        if word in words:
            return start + length * (words.index(word) + 0.5) / len(words)
    raise AssertionError(f"{word!r} is not said")


def opened_at(hit) -> float:
    return float(parse_qs(urlsplit(hit.url).query)["t"][0])


def test_words_said_and_words_shown_open_the_video_at_their_moment(app, make_worker, submit, talk, owner):  # noqa: F811  (fixtures)
    from tests import factories
    from webapp.extensions import db
    from webapp.models import User
    from webapp.services import search, videos
    from webapp.services.search import indexer

    src, parts = talk
    make_worker(app)
    video_id = submit(src, "Austen reading")
    assert transcript_settled(video_id).state == "done"
    assert scan_settled(video_id).state == "done"
    assert wait_settled(video_id).status == "ready"
    indexer.run_once()
    me = db.session.get(User, owner.id)

    # Said, never shown: a phrase of the third clip.
    [hit] = [h for h in search.search(me, '"rather selfish"') if h.id == video_id]
    assert hit.kind == "transcript"
    assert abs(opened_at(hit) - when_said(parts, "selfish")) <= 2.0, (opened_at(hit), parts)
    # Shown, never said: the second slide's word.
    assert not any("pineapple" in w for _s, _l, words in parts for w in words)
    [hit] = [h for h in search.search(me, "pineapple") if h.id == video_id]
    assert hit.kind == "screen"
    assert abs(opened_at(hit) - SLIDES[1][0]) <= 2.0
    # The link opens the video's page at that second.
    client = logged_in_client(app)
    page = client.get(hit.url)
    assert page.status_code == 200 and b"Austen reading" in page.data

    # Private: another member finds neither the words said nor the words shown, and no count of them.
    other = factories.user()
    assert {h.id for h in search.search(other, "pineapple")} == {video_id}  # a team video: found
    videos.update(me, fresh_video(video_id), visibility="private")
    indexer.run_once()
    for words in ("pineapple", '"rather selfish"', "austen"):
        assert [h.id for h in search.search(other, words)] == [], words
    assert {h.id for h in search.search(me, "pineapple")} == {video_id}
