"""Slide decks as screen recordings: big words on a plain background, one slide after another (real ffmpeg)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests import media
from tests.conftest import wait_for
from tests.media_worker.conftest import fresh_video, owner, submit  # noqa: F401  (fixtures used by these tests)

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
# (start, title, a smaller line); each slide lasts until the next one starts.
SLIDES = [(0.0, "Quarterly Roadmap", "where we are going"),
          (4.0, "Budget Pineapple", "numbers for the year"),
          (8.0, "Questions Welcome", "thank you")]


def slides_mp4(path: Path, slides=SLIDES, *, seconds=12.0, size="1280x720", rate=25, audio=False) -> Path:
    """A deck of slides as an H.264 MP4 (with a tone when `audio`): the kind of video the scan is for."""
    if not FONT.exists():
        if os.environ.get("CI"):
            pytest.fail("fonts-dejavu-core is missing: make test installs it")
        pytest.skip("the DejaVu fonts (fonts-dejavu-core) are needed to draw slides")
    draws = []
    for i, (start, title, line) in enumerate(slides):
        end = slides[i + 1][0] if i + 1 < len(slides) else seconds + 1
        when = f"enable='between(t,{start},{end - 0.001})'"
        draws.append(f"drawtext=fontfile={FONT}:text='{title}':fontsize=80:x=120:y=140:fontcolor=0x111111:{when}")
        draws.append(f"drawtext=fontfile={FONT}:text='{line}':fontsize=40:x=120:y=320:fontcolor=0x333333:{when}")
    sound = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"] if audio else []
    subprocess.run([*media.FF, "-f", "lavfi", "-i", f"color=c=0xf5f5f0:size={size}:rate={rate}:duration={seconds}",
                    *sound, "-vf", ",".join(draws), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    *(["-c:a", "aac", "-shortest"] if audio else []), str(path)],
                   check=True, stdin=subprocess.DEVNULL, timeout=120)
    return path


@pytest.fixture
def deck(tmp_path) -> Path:
    return slides_mp4(tmp_path / "deck.mp4")


def scan_settled(video_id, timeout=180):
    """The video's screen scan once it is done, empty or unavailable."""
    from webapp.extensions import db
    from webapp.models import ScreenScan

    def done():
        fresh_video(video_id)  # a fresh session: the worker's commits
        scan = db.session.get(ScreenScan, video_id)
        return scan if scan is not None and scan.state in ("done", "empty", "unavailable") else None

    return wait_for(done, timeout=timeout, interval=0.5, what="the screen scan")
