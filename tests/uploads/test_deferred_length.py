"""A recording streamed as it is made: a deferred-length tus upload of many small PATCHes, then its length."""
from __future__ import annotations

from tests import media
from tests.media_worker.conftest import fresh_video, wait_settled
from tests.uploads.helpers import metadata, patch_headers, stored_source, tus


def _create_recording(client, token) -> tuple[str, str]:
    resp = client.post("/files/", headers=tus(token, Upload_Defer_Length=1, Upload_Metadata=metadata(
        filename="recording.webm", filetype="video/webm", title="Standup", source="recording")))
    assert resp.status_code == 201, resp.data
    return resp.headers["Location"], resp.headers["Parley-Video-Id"]


def _pieces(data: bytes, n: int) -> list[bytes]:
    per = -(-len(data) // n)
    return [data[i:i + per] for i in range(0, len(data), per)]


def test_a_streamed_recording_is_stored_byte_for_byte_and_plays(stack_app, owner, make_worker, tmp_path):
    make_worker(stack_app)
    client = stack_app.test_client()
    data = media.mediarecorder_like_webm(tmp_path / "rec.webm", seconds=4).read_bytes()
    location, video_id = _create_recording(client, owner.token)
    pieces = _pieces(data, 24)  # about six MediaRecorder chunks a second's worth each
    offset = 0
    for i, piece in enumerate(pieces[:-1]):
        resp = client.patch(location, data=piece, headers=patch_headers(owner.token, offset))
        assert resp.status_code == 204, resp.data
        offset = int(resp.headers["Upload-Offset"])
        assert offset == sum(len(p) for p in pieces[:i + 1])
        if i == 5:  # mid-recording, a resuming client learns the offset and that the length is still open
            head = client.head(location, headers=tus(owner.token))
            assert head.headers["Upload-Defer-Length"] == "1" and "Upload-Length" not in head.headers
            assert int(head.headers["Upload-Offset"]) == offset
            assert fresh_video(video_id).status == "uploading"  # nothing is processed before Stop

    # Stop: the last chunk carries the length.
    resp = client.patch(location, data=pieces[-1], headers=patch_headers(owner.token, offset,
                                                                         Upload_Length=len(data)))
    assert resp.status_code == 204, resp.data
    assert int(resp.headers["Upload-Offset"]) == len(data)
    assert stored_source(video_id, tmp_path / "stored") == data

    v = wait_settled(video_id)
    assert v.status == "ready", v.error
    assert v.original_key and v.original_mime == "video/webm"
    assert abs(v.duration - 4.0) < 0.15


def test_the_length_may_come_alone_after_the_last_bytes(stack_app, owner, tmp_path):
    client = stack_app.test_client()
    data = media.mediarecorder_like_webm(tmp_path / "rec.webm", seconds=1).read_bytes()
    location, video_id = _create_recording(client, owner.token)
    offset = 0
    for piece in _pieces(data, 5):
        offset = int(client.patch(location, data=piece, headers=patch_headers(owner.token, offset))
                     .headers["Upload-Offset"])
    resp = client.patch(location, data=b"", headers=patch_headers(owner.token, offset, Upload_Length=len(data)))
    assert resp.status_code == 204, resp.data
    assert stored_source(video_id, tmp_path / "stored") == data
    assert fresh_video(video_id).status == "queued"


def test_a_wrong_length_is_refused_and_the_recording_can_still_finish(stack_app, owner, tmp_path):
    client = stack_app.test_client()
    location, video_id = _create_recording(client, owner.token)
    resp = client.patch(location, data=b"x" * 1000, headers=patch_headers(owner.token, 0))
    assert int(resp.headers["Upload-Offset"]) == 1000
    short = client.patch(location, data=b"", headers=patch_headers(owner.token, 1000, Upload_Length=999))
    assert short.status_code == 400 and b"smaller" in short.data
    resp = client.patch(location, data=b"y" * 10, headers=patch_headers(owner.token, 1000, Upload_Length=1010))
    assert resp.status_code == 204 and int(resp.headers["Upload-Offset"]) == 1010
    changed = client.patch(location, data=b"", headers=patch_headers(owner.token, 1010, Upload_Length=2000))
    assert changed.status_code == 400
    assert stored_source(video_id, tmp_path / "stored") == b"x" * 1000 + b"y" * 10
