"""Browser fixtures: a small H.264/AAC test video, its renditions made with ffmpeg, and a signed-in page."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.media_state import VideoStatus
from webapp.models import User
from webapp.services import videos

DURATION = 6
THUMB_W, THUMB_H = 160, 90


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args], check=True, timeout=120)


@pytest.fixture(scope="session")
def sample_video(tmp_path_factory) -> Path:
    """6 s of 640x360 test pattern with a tone, H.264/AAC in MP4, a keyframe every second."""
    path = tmp_path_factory.mktemp("media") / "sample.mp4"
    ffmpeg("-f", "lavfi", "-i", f"testsrc=size=640x360:rate=30:duration={DURATION}",
           "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={DURATION}",
           "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "30", "-keyint_min", "30",
           "-sc_threshold", "0", "-c:a", "aac", "-b:a", "96k", "-shortest", "-movflags", "+faststart", str(path))
    return path


@pytest.fixture(scope="session")
def renditions(sample_video, tmp_path_factory) -> Path:
    """What the media worker would publish, made here so the player can be tested on its own:
    an HLS playlist with 2 s segments, a poster, and a storyboard sprite with its WebVTT track."""
    out = tmp_path_factory.mktemp("renditions")
    (out / "hls").mkdir()
    ffmpeg("-i", str(sample_video), "-c", "copy", "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod",
           "-hls_segment_filename", str(out / "hls" / "seg%d.ts"), str(out / "hls" / "index.m3u8"))
    ffmpeg("-ss", "1", "-i", str(sample_video), "-frames:v", "1", "-q:v", "4", str(out / "poster.jpg"))
    ffmpeg("-i", str(sample_video), "-vf", f"fps=1,scale={THUMB_W}:{THUMB_H},tile={DURATION}x1",
           "-frames:v", "1", "-q:v", "5", str(out / "storyboard.jpg"))
    cues = ["WEBVTT", ""]
    for i in range(DURATION):
        cues += [f"00:00:{i:02d}.000 --> 00:00:{i + 1:02d}.000", f"storyboard.jpg#xywh={i * THUMB_W},0,{THUMB_W},{THUMB_H}", ""]
    (out / "storyboard.vtt").write_text("\n".join(cues))
    return out


def publish(video, sample_video: Path, renditions: Path, *, ladder: bool = True) -> None:
    """Store files under the video's rendition prefix and point the row at them, as the worker does."""
    store = storage()
    prefix = videos.rendition_prefix(video) + "t1/"
    store.put_file(prefix + "original.mp4", sample_video)
    video.original_key, video.original_mime = prefix + "original.mp4", "video/mp4"
    store.put_file(prefix + "poster.jpg", renditions / "poster.jpg")
    video.poster_key = prefix + "poster.jpg"
    video.duration, video.width, video.height, video.has_audio = float(DURATION), 640, 360, True
    if ladder:
        for f in sorted((renditions / "hls").iterdir()):
            store.put_file(prefix + "hls/" + f.name, f)
        store.put_file(prefix + "storyboard.vtt", renditions / "storyboard.vtt")
        store.put_file(prefix + "storyboard.jpg", renditions / "storyboard.jpg")
        video.hls_key = prefix + "hls/index.m3u8"
        video.mp4_key = prefix + "original.mp4"
        video.storyboard_key = prefix + "storyboard.vtt"
    db.session.commit()


def sign_up(page, base_url: str, email: str = "admin@example.com", name: str = "Ada Admin") -> None:
    """Through the real form; the first account becomes the administrator."""
    page.goto(base_url + "/signup")
    page.fill("input[name=display_name]", name)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/videos")


def sign_in(page, base_url: str, email: str) -> None:
    """Log in as an existing account (made with factories.user and the suite's PASSWORD)."""
    page.goto(base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/videos")


@pytest.fixture
def admin_page(page, live_server):
    sign_up(page, live_server.url)
    return page


@pytest.fixture
def admin(admin_page, app):
    return db.session.query(User).filter_by(email="admin@example.com").one()


@pytest.fixture
def make_video(admin, sample_video, renditions):
    """A video row owned by the admin, in a given state, with the files that state implies."""

    def make(title="Quarterly demo", *, status=VideoStatus.READY, ladder=True, progress=0, stage="", error=None):
        video = videos.create(admin, title)
        video.source_key = videos.source_key(video)
        storage().put_file(video.source_key, sample_video)
        video.status, video.progress, video.stage, video.error = status, progress, stage, error
        db.session.commit()
        if status != VideoStatus.FAILED:
            publish(video, sample_video, renditions, ladder=ladder)
        return video

    return make
