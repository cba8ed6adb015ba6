"""Awkward and hostile inputs: each plays correctly or fails with a sentence a person understands, and the
worker goes on with the next job."""
from __future__ import annotations

import subprocess
from pathlib import Path

from tests import media
from tests.media_worker.conftest import fetch, wait_settled
from webapp.adapters.storage import storage


def huge_claimed_vp8(path: Path) -> Path:
    """A real VP8 WebM whose keyframe header claims 16383x16383 pixels (268 million)."""
    media.vp8_webm(path, seconds=1, audio=False)
    data = bytearray(path.read_bytes())
    at = data.index(b"\x9d\x01\x2a") + 3  # VP8 keyframe start code, then 14-bit width and height
    data[at:at + 4] = (0x3FFF).to_bytes(2, "little") * 2
    path.write_bytes(bytes(data))
    return path


def hls_disguised_as_webm(tmp: Path) -> tuple[Path, bytes]:
    """The trap: a 150-byte HLS playlist named .webm that points ffmpeg at another local file."""
    secret = tmp / "secret.ts"
    subprocess.run([*media.FF, "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=1", "-c:v", "libx264",
                    "-preset", "ultrafast", "-x264-params", "crf=37.2", "-f", "mpegts", str(secret)], check=True)
    marker = b"crf=37.2 "  # x264 writes its settings into the H.264 stream; no Parley output uses this one
    assert marker in secret.read_bytes()
    playlist = tmp / "holiday.webm"
    playlist.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile://{secret}\n#EXT-X-ENDLIST\n")
    # Without the format whitelist ffmpeg really does read the other file: the danger is real here.
    leak = tmp / "leak.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "quiet", "-y", "-i", str(playlist), "-c", "copy", str(leak)])
    assert leak.exists() and marker in leak.read_bytes()
    return playlist, marker


def all_stored_bytes(app) -> list[bytes]:
    if app.config["STORAGE"] == "local":
        return [p.read_bytes() for p in Path(app.config["STORAGE_DIR"]).rglob("*") if p.is_file()]
    store = storage()
    objects = store.client.list_objects_v2(Bucket=store.bucket).get("Contents", [])
    return [store.read_bytes(o["Key"]) for o in objects]


def test_bad_inputs_fail_with_clear_reasons_and_the_worker_carries_on(stack_app, make_worker, submit, tmp_path):
    good = media.h264_mp4(tmp_path / "good.mp4", seconds=2)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp4"
    text.write_text("These are my meeting notes, not a video.\n" * 50)
    truncated = media.truncated(media.h264_mp4(tmp_path / "whole.mp4", seconds=3), tmp_path / "cut.mp4")
    playlist, secret_marker = hls_disguised_as_webm(tmp_path)
    expected = {
        empty: "The uploaded file is empty.",
        text: "This is not a video or audio file we can read.",
        truncated: "The file is truncated or corrupt; please upload it again.",
        playlist: "This is not a video or audio file we can read.",
        huge_claimed_vp8(tmp_path / "huge.webm"): "is larger than this server accepts",
    }
    ids = {path: submit(path) for path in expected}
    good_id = submit(good)  # queued behind the bad ones
    make_worker(stack_app)
    for path, message in expected.items():
        v = wait_settled(ids[path])
        assert v.status == "failed", path.name
        assert message in v.error, (path.name, v.error)
        assert v.stage == "Failed" and v.original_key is None and v.mp4_key is None
    assert wait_settled(good_id).status == "ready"
    assert not any(secret_marker in blob for blob in all_stored_bytes(stack_app))


def test_awkward_but_valid_inputs_play(stack_app, make_worker, submit, tmp_path):
    ids = {
        "odd": submit(media.vp8_webm(tmp_path / "odd.webm", size="321x241", seconds=2)),
        "rotated": submit(media.rotated_mp4(tmp_path / "phone.mp4", size="320x240", seconds=2)),
        "vfr": submit(media.vfr_mp4(tmp_path / "vfr.mp4", seconds=4)),
        "hevc": submit(media.hevc_mp4(tmp_path / "hevc.mp4", seconds=2)),
        "audio": submit(media.audio_only(tmp_path / "voice.m4a", seconds=3)),
        "short picture": submit(media.short_picture_long_sound(tmp_path / "blip.mp4", picture=0.2, sound=6)),
    }
    make_worker(stack_app)
    done = {name: wait_settled(vid) for name, vid in ids.items()}
    for name, v in done.items():
        assert v.status == "ready", (name, v.error)

    def mp4_of(name):
        return fetch(done[name].mp4_key, tmp_path / f"{name}-out.mp4")

    odd = media.streams(mp4_of("odd"), "video")[0]
    assert (odd["width"], odd["height"]) == (320, 240)

    rotated = media.streams(mp4_of("rotated"), "video")[0]
    assert (rotated["width"], rotated["height"]) == (240, 320)  # turned upright once, not flagged again
    assert not any("rotation" in sd for sd in rotated.get("side_data_list", []))
    assert (done["rotated"].width, done["rotated"].height) == (240, 320)

    vfr_src = tmp_path / "vfr.mp4"
    assert media.count_frames(mp4_of("vfr")) == media.count_frames(vfr_src) == 80

    hevc = done["hevc"]
    assert hevc.original_key is None  # browsers cannot play HEVC as is: no instant original
    assert media.streams(mp4_of("hevc"), "video")[0]["codec_name"] == "h264"

    audio = done["audio"]
    out = mp4_of("audio")
    assert media.streams(out, "video") == [] and media.streams(out, "audio")[0]["codec_name"] == "aac"
    assert audio.has_video is False and audio.storyboard_key is None and audio.poster_key
    assert storage().read_bytes(audio.hls_key).decode().splitlines()[-1] == "audio.m3u8"
    poster = fetch(audio.poster_key, tmp_path / "wave.jpg")
    assert media.streams(poster, "video")[0]["width"] == 1280  # the waveform picture

    blip = done["short picture"]  # no frame at the usual poster time: the first frame is used instead
    assert abs(blip.duration - 6.0) < 0.1 and storage().size(blip.poster_key) > 1000
    vtt = storage().read_bytes(blip.storyboard_key).decode()
    assert vtt.count("#xywh=") == 1 and "00:00:00.000 --> 00:00:06.0" in vtt  # one real thumbnail, no blanks
