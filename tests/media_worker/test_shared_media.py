"""Real-world files from ../shared/media, with the outcomes its README asks of a correct pipeline."""
from __future__ import annotations

from tests import media
from tests.conftest import shared_media
from tests.media_worker.conftest import fetch, wait_settled

# name -> (duration of the result, video frames of the result) when it must play; a message when it must fail.
PLAYS = {
    "chrome52-mediarecorder-vp8-opus-nocues.webm": (50.78, 338),
    "chrome57-mediarecorder-opus-vp8-nocues-truncated.webm": (7.61, 185),
    "firefox53-mediarecorder-vp8-opus-duration0.webm": (10.02, 250),
    "mp4-h264-zero-length-nalu.mp4": (1.0, None),
    "mp4-aac-audio-only.mp4": (1.04, 0),
    "ogg-opus-stereo.opus": (2.74, 0),
    "mp4-h264-aac-1080p-5s.mp4": (5.056, 125),
}
FAILS = {
    "mp4-malformed-free-box-size3.mp4": "truncated or corrupt",
    "webm-vp9-invalid-bitstream.webm": "No frame of this file could be decoded",
}
CLAIMS_35S = "mp4-h264-annexb-truncated-claims35s.mp4"


def test_every_shared_file_plays_or_fails_as_its_readme_says(app, make_worker, submit, tmp_path):
    names = [*PLAYS, *FAILS, CLAIMS_35S]
    ids = {name: submit(shared_media(name)) for name in names}
    make_worker(app)
    for name, (duration, frames) in PLAYS.items():
        v = wait_settled(ids[name], timeout=240)
        assert v.status == "ready", (name, v.error)
        assert abs(v.duration - duration) < 0.1, (name, v.duration)
        out = fetch(v.mp4_key, tmp_path / f"{name}.mp4")
        assert abs(float(media.ffprobe(out)["format"]["duration"]) - duration) < 0.15, name
        if frames == 0:
            assert media.streams(out, "video") == [] and not v.has_video
        elif frames:
            assert media.count_frames(out) == frames, name  # VFR kept: no frames invented or dropped
        assert media.streams(out, "audio" if frames == 0 else "video"), name
    for name, message in FAILS.items():
        v = wait_settled(ids[name])
        assert v.status == "failed" and message in v.error, (name, v.error)
        assert v.mp4_key is None and v.hls_key is None

    # The truncated file claims 35 s: the header must not be believed either way.
    v = wait_settled(ids[CLAIMS_35S])
    if v.status == "ready":
        assert v.duration < 1.0
        assert float(media.ffprobe(fetch(v.mp4_key, tmp_path / "claims.mp4"))["format"]["duration"]) < 1.0
    else:
        assert v.status == "failed" and "truncated or corrupt" in v.error
