"""A trim rebuilds the renditions from the untouched source, with a real worker and real ffmpeg on both stacks:
the new MP4 and HLS hold only the kept part, the old ones stay where they were, and undo brings the full length
back."""
from __future__ import annotations

import subprocess

from tests import media
from tests.media_worker.conftest import fetch, fresh_video, jobs_of, logged_in_client, wait_settled
from webapp.adapters.storage import storage
from webapp.models import User
from webapp.services import trims


def mp4_seconds(key: str, dest) -> float:
    return float(media.ffprobe(fetch(key, dest))["format"]["duration"])


def hls_seconds(master_key: str) -> float:
    """The length a player of the HLS ladder sees: the sum of the top rung's segment durations."""
    folder = master_key.rsplit("/", 1)[0] + "/"
    master = storage().read_bytes(master_key).decode()
    rung = next(line for line in master.splitlines() if line and not line.startswith("#"))
    playlist = storage().read_bytes(folder + rung).decode()
    return sum(float(line.split(":")[1].rstrip(",")) for line in playlist.splitlines() if line.startswith("#EXTINF"))


def silence_then_tone(path, seconds=6):
    """A picture throughout; the first half silent, the second half a loud tone."""
    half = seconds / 2
    subprocess.run([*media.FF, "-f", "lavfi", "-i", f"testsrc2=size=320x240:rate=25:duration={seconds}",
                    "-f", "lavfi", "-i", f"anullsrc=r=48000:cl=mono:d={half}",
                    "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={half}",
                    "-filter_complex", "[1:a][2:a]concat=n=2:v=0:a=1[a]", "-map", "0:v", "-map", "[a]",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)],
                   check=True, timeout=120)
    return path


def test_trim_rebuilds_the_kept_part_and_undo_restores_the_full_length(stack_app, make_worker, submit, owner,
                                                                       tmp_path):
    owner_id = owner.id
    make_worker(stack_app)
    video_id = submit(silence_then_tone(tmp_path / "talk.mp4"))
    v = wait_settled(video_id)
    assert v.status == "ready", v.error
    full_mp4, full_hls, full_poster = v.mp4_key, v.hls_key, v.poster_key
    assert abs(mp4_seconds(full_mp4, tmp_path / "full.mp4") - 6.0) < 0.15

    trims.set_trim(fresh_user(owner_id), fresh_video(video_id), 1.5, 4.5)
    v = wait_settled(video_id)
    assert v.status == "ready", v.error
    assert (v.renditions_trim_start, v.renditions_trim_end) == (1.5, 4.5)
    assert abs(v.duration - 3.0) < 0.01 and abs(v.source_duration - 6.0) < 0.1
    assert v.mp4_key != full_mp4 and v.hls_key != full_hls  # beside the old renditions, not over them
    assert v.mp4_key.rsplit("/", 1)[0].endswith("-trim1500-4500")
    assert v.poster_key == v.mp4_key.rsplit("/", 1)[0] + "/poster.jpg"  # a poster from the kept part
    assert abs(mp4_seconds(v.mp4_key, tmp_path / "trimmed.mp4") - 3.0) < 0.15
    assert abs(hls_seconds(v.hls_key) - 3.0) < 0.15
    assert storage().exists(full_mp4) and storage().exists(full_hls)  # the old version kept playing meanwhile
    assert storage().exists(v.source_key)  # the source is untouched
    # The cut is where it was asked for: the kept part is half silence (1.5-3 s), half tone (3-4.5 s).
    assert _loudness(tmp_path / "trimmed.mp4", 0.2, 1.2) < -60 < _loudness(tmp_path / "trimmed.mp4", 1.8, 2.8)

    trims.undo_trim(fresh_user(owner_id), fresh_video(video_id))
    v = wait_settled(video_id)
    assert v.status == "ready", v.error
    assert v.renditions_trim_start is None and v.trim_start is None
    assert v.mp4_key == full_mp4  # the untrimmed renditions' own keys, rewritten in place
    assert v.poster_key == full_poster
    assert abs(v.duration - 6.0) < 0.1
    assert abs(mp4_seconds(v.mp4_key, tmp_path / "undone.mp4") - 6.0) < 0.15
    assert [j.kind for j in jobs_of(video_id)] == ["ingest", "transcode", "transcode", "transcode"]

    # The waveform was made once, from the untrimmed audio, and is served behind the watch page's permission.
    client = logged_in_client(stack_app)
    info = client.get(f"/v/{video_id}/status").get_json()
    assert info["waveform_url"] and info["trim"] is None
    r = client.get(info["waveform_url"])
    assert r.status_code == 200 and r.mimetype == "application/json"
    wave = r.get_json()
    assert abs(wave["duration"] - 6.0) < 0.1 and abs(wave["rate"] - 10) < 0.5
    peaks, rate = wave["peaks"], wave["rate"]
    silent, loud = peaks[: int(2.5 * rate)], peaks[int(3.5 * rate): int(5.5 * rate)]
    assert max(silent) < 0.01, silent
    assert min(loud) > 0.1, loud  # lavfi's sine is at 1/8 of full scale


def fresh_user(user_id: int) -> User:
    from webapp.extensions import db

    return db.session.get(User, user_id)


def _loudness(path, start: float, end: float) -> float:
    """Mean volume in dB of [start, end] seconds of a file's audio (ffmpeg's volumedetect)."""
    out = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-ss", str(start), "-to", str(end), "-i", str(path),
                          "-vn", "-af", "volumedetect", "-f", "null", "-"], capture_output=True, text=True, check=True)
    line = next(ln for ln in out.stderr.splitlines() if "mean_volume" in ln)
    value = line.split("mean_volume:")[1].split()[0]
    return -200.0 if value == "-inf" else float(value)


def test_renditions_of_a_trim_changed_meanwhile_are_not_flipped_in(app, owner):
    """The owner saved another trim while a transcode ran: its outputs must not replace what plays, and the
    video waits for the job the new trim queued (which reads the newest trim)."""
    from types import SimpleNamespace

    from sqlalchemy import select

    from media_worker import transcode
    from tests import factories
    from webapp.extensions import db
    from webapp.models import Job, Video
    from webapp.services import jobs

    video = factories.video(owner, "Race", status="processing", duration=8.0, mp4_key="old.mp4",
                            trim_start=2.0, trim_end=6.0, source_duration=10.0)
    video_id = video.id
    job = jobs.create(video_id, "transcode")
    db.session.commit()
    job_id = job.id
    lease = jobs.claim(job_id, "test-worker")
    ctx = SimpleNamespace(lease=lease, video_id=video_id, video=lambda: db.session.get(Video, video_id))
    transcode.finish(ctx, transcode.Result((1.0, 5.0), 4.0, 10.0, "renditions/x/waveform.json"),
                     mp4_key="new.mp4", hls_key="new.m3u8", storyboard_key=None)
    db.session.remove()
    v = db.session.get(Video, video_id)
    assert (v.mp4_key, v.status, v.renditions_trim_start, v.duration) == ("old.mp4", "processing", None, 8.0)
    assert v.waveform_key == "renditions/x/waveform.json"  # the waveform is the source's: kept either way
    assert db.session.scalar(select(Job.state).where(Job.id == job_id)) == "succeeded"
