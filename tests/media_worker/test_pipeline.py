"""The whole pipeline with a real worker and real ffmpeg, on both stacks: upload in, playable media out."""
from __future__ import annotations

import re
import urllib.request

from tests import media
from tests.media_worker.conftest import fetch, fresh_video, jobs_of, logged_in_client, wait_settled
from webapp.adapters.storage import storage
from webapp.services import videos


def rel(video, key: str) -> str:
    prefix = videos.rendition_prefix(video)
    assert key.startswith(prefix), key
    return key[len(prefix):]


def test_h264_upload_becomes_ready_with_mp4_hls_storyboard_and_poster(stack_app, make_worker, submit, tmp_path):
    make_worker(stack_app)
    src = media.h264_mp4(tmp_path / "talk.mp4", size="320x240", seconds=3)
    video_id = submit(src)
    v = wait_settled(video_id)
    assert v.status == "ready", v.error
    assert (v.progress, v.stage, v.error) == (100, "Ready", None)
    assert v.ready_at is not None and v.preset_version
    assert (v.width, v.height, v.has_video, v.has_audio) == (320, 240, True, True)
    assert abs(v.duration - 3.0) < 0.1
    assert [j.kind for j in jobs_of(video_id)] == ["ingest", "transcode"]
    assert all(j.state == "succeeded" and j.attempt == 1 for j in jobs_of(video_id))

    # Every key is under the video's prefix and named by source checksum and preset version, except the instant
    # original's, named by the stored source's version (it is published before the checksum is known).
    assert len(v.source_sha1) == 40
    folder = f"renditions/{v.id}/{v.source_sha1[:12]}-{v.preset_version}/"
    for key in (v.mp4_key, v.hls_key, v.poster_key, v.storyboard_key):
        assert key and key.startswith(folder), key
    assert v.original_key.startswith(f"renditions/{v.id}/instant-") and v.original_key.endswith("/original.mp4")
    assert v.original_mime == "video/mp4"

    mp4 = fetch(v.mp4_key, tmp_path / "out.mp4")
    info = media.ffprobe(mp4)
    vs, au = media.streams(mp4, "video")[0], media.streams(mp4, "audio")[0]
    assert (vs["codec_name"], au["codec_name"], au["channels"]) == ("h264", "aac", 2)
    assert (vs["width"], vs["height"]) == (320, 240)
    assert abs(float(info["format"]["duration"]) - 3.0) < 0.15
    assert media.count_frames(mp4) == 75  # 3 s at 25 fps: nothing dropped, nothing multiplied
    data = mp4.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # +faststart: playback starts before the download ends

    master = storage().read_bytes(v.hls_key).decode()
    assert master.startswith("#EXTM3U")
    variants = [line for line in master.splitlines() if line and not line.startswith("#")]
    assert variants == ["240p.m3u8"]  # never above the 240-line source
    rung = storage().read_bytes(folder + variants[0]).decode()
    segments = [line for line in rung.splitlines() if line and not line.startswith("#")]
    assert segments and all("/" not in s for s in segments)  # relative siblings
    assert all(storage().exists(folder + s) for s in segments)

    vtt = storage().read_bytes(v.storyboard_key).decode()
    assert vtt.startswith("WEBVTT")
    cues = re.findall(r"(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(\S+)", vtt)
    assert len(cues) == 3 and cues[0][0] == "00:00:00.000" and cues[-1][1] == "00:00:03.021"
    image, frag = cues[0][2].split("#")
    assert image == "storyboard.jpg" and frag == "xywh=0,0,160,120"
    sheet = fetch(folder + image, tmp_path / "sheet.jpg")
    assert media.streams(sheet, "video")[0]["width"] >= 160 * 3
    assert storage().size(v.poster_key) > 1000

    # Served through the app: Range from disk (206) or a redirect to a presigned S3 URL (302).
    client = logged_in_client(stack_app)
    r = client.get(f"/v/{v.id}/media/{rel(v, v.mp4_key)}", headers={"Range": "bytes=0-99"})
    if stack_app.config["STORAGE"] == "local":
        assert r.status_code == 206 and len(r.data) == 100
        assert r.data == mp4.read_bytes()[:100]
    else:
        assert r.status_code == 302
        location = r.headers["Location"]
        assert "X-Amz-Signature=" in location and v.mp4_key in location
        with urllib.request.urlopen(location) as resp:
            assert resp.read() == mp4.read_bytes()
    r = client.get(f"/v/{v.id}/media/{rel(v, v.hls_key)}")
    assert r.status_code == 200 and r.data.decode() == master


def test_mediarecorder_webm_plays_at_once_as_webm_with_duration(stack_app, make_worker, submit, tmp_path):
    make_worker(stack_app)
    src = media.mediarecorder_like_webm(tmp_path / "rec.webm", seconds=3)
    assert "duration" not in media.ffprobe(src)["format"]  # the trap: no duration in the header
    video_id = submit(src)
    v = wait_settled(video_id)
    assert v.status == "ready", v.error
    assert abs(v.duration - 3.0) < 0.1
    assert v.original_mime == "video/webm" and v.original_key.endswith(".webm")
    original = fetch(v.original_key, tmp_path / "original.webm")
    assert abs(float(media.ffprobe(original)["format"]["duration"]) - 3.0) < 0.1  # the remux wrote it
    mp4 = fetch(v.mp4_key, tmp_path / "out.mp4")
    assert media.streams(mp4, "video")[0]["codec_name"] == "h264"
    assert media.count_frames(mp4) == 75


def test_1080p_source_gets_the_full_ladder_with_aligned_keyframes(app, make_worker, submit, tmp_path):
    make_worker(app)
    src = media.h264_mp4(tmp_path / "hd.mp4", size="1920x1080", seconds=2, rate=30)
    v = wait_settled(submit(src), timeout=180)
    assert v.status == "ready", v.error
    folder = v.hls_key.rsplit("/", 1)[0] + "/"
    master = storage().read_bytes(v.hls_key).decode()
    assert re.findall(r"RESOLUTION=(\d+x\d+)", master) == ["1920x1080", "1280x720", "854x480", "640x360"]
    assert [ln for ln in master.splitlines() if ln.endswith(".m3u8")] == ["1080p.m3u8", "720p.m3u8", "480p.m3u8",
                                                                         "360p.m3u8"]
    keyframes = {}
    for name in ("1080p", "720p", "360p"):
        seg = fetch(folder + f"{name}_0000.ts", tmp_path / f"{name}.ts")
        keyframes[name] = _keyframe_times(seg)
    assert keyframes["1080p"] == keyframes["720p"] == keyframes["360p"]
    # The progressive MP4 is the top rung's encode: same picture size and frame count.
    mp4 = fetch(v.mp4_key, tmp_path / "hd.mp4")
    assert (media.streams(mp4, "video")[0]["width"], media.count_frames(mp4)) == (1920, 60)


def _keyframe_times(path) -> list[str]:
    import subprocess

    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "packet=pts_time,flags", "-of", "csv=p=0", str(path)], capture_output=True, text=True).stdout
    return [line.split(",")[0] for line in out.splitlines() if ",K" in line]


def test_progress_and_stage_are_visible_on_the_video_while_processing(app, make_worker, submit, tmp_path):
    src = media.h264_mp4(tmp_path / "long.mp4", size="1280x720", seconds=12)
    video_id = submit(src)
    v = fresh_video(video_id)
    assert (v.status, v.stage) == ("queued", "Waiting for a worker")
    make_worker(app)
    seen = set()

    def watch():
        v = fresh_video(video_id)
        if v.status == "processing":
            seen.add((v.progress, v.stage))
        return v.status in ("ready", "failed")

    from tests.conftest import wait_for

    wait_for(watch, timeout=120, interval=0.1, what="processing to end")
    assert fresh_video(video_id).status == "ready"
    stages = {s for _, s in seen}
    assert any(s.startswith("Transcoding") for s in stages), seen
    progresses = sorted(p for p, s in seen if s == "Transcoding")
    assert progresses and progresses[0] >= 10 and progresses[-1] < 100 and len(set(progresses)) >= 2, seen
