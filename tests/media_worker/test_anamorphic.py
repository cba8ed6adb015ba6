"""Anamorphic sources (non-square pixels): every output shows the picture at its display aspect, in square pixels.

Real ffmpeg through the real sandbox: the builders' argv run exactly as the worker runs them."""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from media_worker import commands, probe
from media_worker.sandbox import Limits, run
from tests import media

LIMITS = Limits()


def anamorphic_mp4(path: Path, rotate: int = 0) -> Path:
    """480x480 coded pixels with a 4:3 sample aspect ratio: a player shows it as 640x480 (like DV or DVD)."""
    plain = path.with_name(path.stem + "-plain.mp4") if rotate else path
    media._run([*media.FF, "-f", "lavfi", "-i", "testsrc=size=480x480:rate=25:duration=2",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2",
                "-vf", "setsar=4/3", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k", "-shortest", str(plain)])
    if rotate:
        media._run([*media.FF, "-i", str(plain), "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}", str(path)])
        plain.unlink()
    return path


def picture(path: Path) -> tuple[int, int, Fraction]:
    """(width, height, sample aspect ratio) of the first video stream; an unset SAR counts as square."""
    vs = media.streams(path, "video")[0]
    num, _, den = (vs.get("sample_aspect_ratio") or "1:1").partition(":")
    sar = Fraction(int(num), int(den)) if int(num or 0) and int(den or 0) else Fraction(1)
    return vs["width"], vs["height"], sar


def display_aspect(path: Path) -> Fraction:
    w, h, sar = picture(path)
    return Fraction(w, h) * sar


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """One source through probe, the transcode pass, HLS packaging, the storyboard and the poster."""
    tmp = tmp_path_factory.mktemp("anamorphic")
    src = anamorphic_mp4(tmp / "source.mp4")
    out = tmp / "out"
    out.mkdir()
    info = probe.probe(src, cwd=out, limits=LIMITS)
    plan = commands.plan_for(info)
    run(commands.transcode(info, src, plan, LIMITS.max_pixels), cwd=out, limits=LIMITS,
        media_seconds=info.duration, on_progress=lambda _: None)
    run(commands.segment_copy(plan, LIMITS.max_pixels), cwd=out, limits=LIMITS)
    run(commands.storyboard_sheet(plan, LIMITS.max_pixels), cwd=out, limits=LIMITS)
    run(commands.poster(info, src, "poster.jpg", LIMITS.max_pixels), cwd=out, limits=LIMITS)
    return info, plan, out


def test_probe_reports_the_display_size_of_non_square_pixels(rendered):
    info, _, _ = rendered
    assert (info.width, info.height) == (480, 480)  # coded
    assert info.sample_aspect_ratio == Fraction(4, 3)
    assert (info.display_width, info.display_height) == (640, 480)


def test_mp4_and_every_hls_rung_show_4_3_in_square_pixels(rendered):
    _, plan, out = rendered
    assert picture(out / plan.mp4) == (640, 480, 1)
    rungs = {p.name: (p.width, p.height) for p in plan.pictures}
    assert rungs == {"480p": (640, 480), "360p": (480, 360)}
    for pic in plan.pictures:
        playlist = (out / plan.playlist(pic.name)).read_text()
        first = next(ln for ln in playlist.splitlines() if ln and not ln.startswith("#"))
        assert picture(out / first) == (pic.width, pic.height, 1), pic.name
    master = commands.master_playlist(plan, has_audio=True)
    assert "RESOLUTION=640x480" in master and "RESOLUTION=480x360" in master


def test_poster_and_storyboard_tiles_are_4_3(rendered):
    _, plan, out = rendered
    w, h, sar = picture(out / "poster.jpg")
    assert (w, h) == (640, 480) and sar == 1
    sb = plan.storyboard
    assert Fraction(sb.thumb_width, sb.thumb_height) == Fraction(4, 3)
    w, h, _ = picture(out / plan.storyboard_image)
    assert (w, h) == (sb.columns * sb.thumb_width, sb.rows * sb.thumb_height) == (320, 120)
    assert display_aspect(out / plan.storyboard_image) == Fraction(320, 120)


def test_a_rotated_anamorphic_phone_clip_is_squared_then_turned(tmp_path):
    src = anamorphic_mp4(tmp_path / "source.mp4", rotate=90)
    out = tmp_path / "out"
    out.mkdir()
    info = probe.probe(src, cwd=out, limits=LIMITS)
    assert (info.display_width, info.display_height) == (480, 640)
    plan = commands.plan_for(info)
    run(commands.transcode(info, src, plan, LIMITS.max_pixels), cwd=out, limits=LIMITS,
        media_seconds=info.duration, on_progress=lambda _: None)
    assert picture(out / plan.mp4) == (480, 640, 1)
    run(commands.poster(info, src, "poster.jpg", LIMITS.max_pixels), cwd=out, limits=LIMITS)
    assert picture(out / "poster.jpg") == (480, 640, 1)


def test_an_anamorphic_upload_becomes_a_4_3_video_everywhere(app, make_worker, submit, tmp_path):
    from tests.media_worker.conftest import fetch, wait_settled
    from webapp.adapters.storage import storage

    make_worker(app)
    v = wait_settled(submit(anamorphic_mp4(tmp_path / "dv.mp4")))
    assert v.status == "ready", v.error
    assert (v.width, v.height) == (640, 480)  # what the video page sizes its player by
    assert picture(fetch(v.mp4_key, tmp_path / "out.mp4")) == (640, 480, 1)
    assert picture(fetch(v.poster_key, tmp_path / "poster.jpg"))[:2] == (640, 480)
    master = storage().read_bytes(v.hls_key).decode()
    assert "RESOLUTION=640x480" in master and "RESOLUTION=480x360" in master
    vtt = storage().read_bytes(v.storyboard_key).decode()
    assert "#xywh=0,0,160,120" in vtt


def _stream(**kw) -> str:
    base = {"index": 0, "codec_type": "video", "codec_name": "h264", "width": 480, "height": 480,
            "avg_frame_rate": "25/1", "pix_fmt": "yuv420p"}
    base.update(kw)
    return json.dumps({"streams": [base], "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "1"}})


@pytest.mark.parametrize("sar, rotation, display", [
    ("4:3", 0, (640, 480)),
    ("4:3", 90, (480, 640)),  # rotated after the pixels are made square, as ffmpeg's autorotate does
    ("8:9", 0, (427, 480)),
    ("1:1", 0, (480, 480)),
    ("0:1", 0, (480, 480)),  # "unknown" means square
    ("N/A", 0, (480, 480)),
    (None, 0, (480, 480)),
])
def test_probe_parses_the_sample_aspect_ratio(sar, rotation, display):
    extra = {} if sar is None else {"sample_aspect_ratio": sar}
    if rotation:
        extra["side_data_list"] = [{"side_data_type": "Display Matrix", "rotation": -rotation}]
    got = probe.parse(_stream(**extra), "0,0.0,0.5\n0,0.5,0.5\n")
    assert (got.display_width, got.display_height) == display
