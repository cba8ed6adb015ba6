"""A browser recording's instant original, made without ffmpeg: every packet as recorded, plus a Duration and
Cues, so it plays with a length and seeks; anything it is not sure of is left to ffmpeg's remux."""
from __future__ import annotations

import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from media_worker import webm_original
from tests import media
from tests.conftest import shared_media

CUES_ID = bytes.fromhex("1C53BB6B")
MAX_PIXELS = 4096 * 2160


def rewrite(src, out):
    rec = webm_original.scan(src, MAX_PIXELS)
    assert rec is not None, f"{src.name} was left to ffmpeg"
    webm_original.write(rec, src, out)
    return rec


def duration_of(path) -> float:
    return float(media.ffprobe(path)["format"]["duration"])


def decodes_cleanly(path) -> bool:
    run = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-f", "null", "-"],
                         capture_output=True, text=True, timeout=120)
    return run.returncode == 0 and "rror" not in run.stderr.replace("non monotonically increasing dts", "")


@pytest.mark.parametrize("kind", ["chrome-like (unknown sizes)", "muxed to a pipe (sized clusters)"])
def test_a_recording_keeps_every_packet_and_gains_a_duration_and_cues(tmp_path, kind):
    src = tmp_path / "rec.webm"
    if kind.startswith("chrome"):
        media.chrome_like_webm(src, seconds=4)
    else:
        media.mediarecorder_like_webm(src, seconds=4)
    assert "duration" not in media.ffprobe(src)["format"]
    out = tmp_path / "original.webm"
    rec = rewrite(src, out)

    assert abs(rec.duration - 4.0) < 0.1 and abs(duration_of(out) - rec.duration) < 0.01
    assert CUES_ID in out.read_bytes()[:4096]  # the index comes first: seekable from the first request
    assert media.packets(out) == media.packets(src)  # what plays is exactly what was recorded
    assert (rec.video.display_width, rec.video.display_height, rec.audio.codec) == (320, 240, "opus")
    assert decodes_cleanly(out)


def test_an_audio_only_recording_gets_a_cue_per_cluster(tmp_path):
    src = tmp_path / "voice.webm"
    media.audio_only(src, seconds=4, codec=["-c:a", "libopus", "-f", "webm"])
    out = tmp_path / "original.webm"
    rec = rewrite(src, out)
    assert rec.video is None and rec.audio.codec == "opus"
    assert abs(duration_of(out) - 4.0) < 0.1 and media.packets(out) == media.packets(src)


def test_a_recording_cut_off_mid_block_keeps_every_whole_block(tmp_path):
    full = media.chrome_like_webm(tmp_path / "full.webm", seconds=4)
    cut = tmp_path / "cut.webm"
    cut.write_bytes(full.read_bytes()[: int(full.stat().st_size * 0.6) + 3])  # 3 bytes into some element
    out = tmp_path / "original.webm"
    rec = rewrite(cut, out)
    kept, whole = media.packets(out), media.packets(full)
    assert 1.5 < rec.duration < 3.5 and abs(duration_of(out) - rec.duration) < 0.01
    for kind in ("video", "audio"):
        assert kept[kind] == whole[kind][:len(kept[kind])] and len(kept[kind]) < len(whole[kind])
    assert decodes_cleanly(out)


@pytest.mark.parametrize("name, seconds", [
    ("chrome52-mediarecorder-vp8-opus-nocues.webm", 50.78),
    ("chrome57-mediarecorder-opus-vp8-nocues-truncated.webm", 7.61),  # ends inside a block, audio track first
    ("firefox53-mediarecorder-vp8-opus-duration0.webm", 10.02),  # Duration 0.0 in its header
])
def test_real_browser_recordings_get_their_real_length(tmp_path, name, seconds):
    src = shared_media(name)
    out = tmp_path / "original.webm"
    rec = rewrite(src, out)
    assert abs(rec.duration - seconds) < 0.05 and abs(duration_of(out) - seconds) < 0.05
    assert media.packets(out) == media.packets(src)
    assert CUES_ID in out.read_bytes()[:4096]


def test_what_it_is_not_sure_of_is_left_to_ffmpeg(tmp_path):
    mp4 = media.h264_mp4(tmp_path / "phone.mp4")
    yuv444 = tmp_path / "444.webm"
    media._run([*media.FF, "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=1", "-c:v", "libvpx-vp9",
                "-deadline", "realtime", "-cpu-used", "8", "-pix_fmt", "yuv444p", str(yuv444)])
    h264_mkv = tmp_path / "h264.mkv"
    media._run([*media.FF, "-i", str(mp4), "-c", "copy", str(h264_mkv)])
    not_media = tmp_path / "notes.webm"
    not_media.write_bytes(b"\x1a\x45\xdf\xa3 these are not the bytes of a video" * 10)
    empty = tmp_path / "empty.webm"
    empty.write_bytes(b"")
    for path in (mp4, yuv444, h264_mkv, not_media, empty):
        assert webm_original.scan(path, MAX_PIXELS) is None, path.name
    big = media.chrome_like_webm(tmp_path / "rec.webm", seconds=1)
    assert webm_original.scan(big, max_pixels=320 * 240 - 1) is None  # ffmpeg's probe refuses it in words


def test_damage_before_the_end_is_left_to_ffmpeg(tmp_path):
    src = media.chrome_like_webm(tmp_path / "rec.webm", seconds=4)
    data = bytearray(src.read_bytes())
    second_cluster = data.find(bytes.fromhex("1F43B675"), data.find(bytes.fromhex("1F43B675")) + 1)
    data[second_cluster + 12:second_cluster + 20] = b"\0" * 8  # its timecode and first block header, gone
    src.write_bytes(bytes(data))
    assert webm_original.scan(src, MAX_PIXELS) is None


@pytest.fixture(scope="module")
def small_recording(tmp_path_factory):
    return media.chrome_like_webm(tmp_path_factory.mktemp("fuzz") / "rec.webm", seconds=1, size="64x48").read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=9)),
                      min_size=1, max_size=4), cut=st.floats(0.05, 1))
def test_mangled_recordings_are_refused_or_rewritten_never_a_crash(small_recording, tmp_path, edits, cut):
    data = bytearray(small_recording[: max(1, int(len(small_recording) * cut))])
    for where, junk in edits:
        at = int(where * len(data))
        data[at:at + len(junk)] = junk
    src = tmp_path / "mangled.webm"
    src.write_bytes(bytes(data))
    rec = webm_original.scan(src, MAX_PIXELS)
    if rec is not None:
        out = tmp_path / "original.webm"
        webm_original.write(rec, src, out)
        assert rec.duration > 0 and out.stat().st_size > 0
