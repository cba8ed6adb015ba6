"""The trim editor's waveform: peaks of the real audio (silence low, a tone high), bounded in size, served only
to who may watch the video."""
from __future__ import annotations

import subprocess

from flask import current_app

from media_worker import commands, probe, profiles, sandbox
from media_worker.transcode import peaks
from tests import factories, media
from webapp import storage_keys
from webapp.adapters.storage import storage
from webapp.extensions import db


def bearer(account) -> dict:
    return {"Authorization": f"Bearer {account.token}"}


def test_peaks_follow_the_audio_silence_low_then_tone_high(app, tmp_path):
    src = tmp_path / "quiet-then-loud.wav"
    subprocess.run([*media.FF, "-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo:d=2", "-f", "lavfi",
                    "-i", "sine=frequency=300:sample_rate=44100:duration=2", "-filter_complex",
                    "[0:a]aformat=channel_layouts=mono[s];[s][1:a]concat=n=2:v=0:a=1", str(src)], check=True)
    limits = sandbox.Limits.from_config(current_app.config)
    info = probe.probe(src, cwd=tmp_path, limits=limits)
    # Through the sandbox, as the worker runs it: the PCM argv carries the input whitelists.
    sandbox.run(commands.audio_pcm(info, src, "audio.pcm", limits.max_pixels), cwd=tmp_path, limits=limits,
                media_seconds=info.duration, what="ffmpeg")
    wave = peaks(tmp_path / "audio.pcm", info.duration)
    assert abs(wave["duration"] - 4.0) < 0.05 and wave["rate"] == 10
    assert len(wave["peaks"]) == 40
    assert max(wave["peaks"][:19]) < 0.01
    assert min(wave["peaks"][21:]) > 0.1  # the tone is at 1/8 of full scale
    assert all(0 <= p <= 1 for p in wave["peaks"])


def test_a_long_recording_gets_at_most_max_peaks(tmp_path):
    seconds = 1200  # 20 minutes at 10 a second would be 12,000 peaks
    pcm = tmp_path / "long.pcm"
    pcm.write_bytes(b"\x00\x10" * (profiles.PEAKS_SAMPLE_RATE * seconds))  # a steady 4096 / 32768
    wave = peaks(pcm, seconds)
    assert len(wave["peaks"]) <= profiles.MAX_PEAKS
    assert abs(len(wave["peaks"]) / wave["rate"] - seconds) < 1  # rate still maps peaks onto seconds
    assert set(wave["peaks"]) == {0.125}


def test_the_waveform_url_is_behind_the_watch_permission(app, owner, stranger):
    client = app.test_client()
    video = factories.video(owner.user, "Private talk", visibility="private", status="ready", duration=3.0)
    assert client.get(f"/api/v1/videos/{video.id}", headers=bearer(owner)).get_json()["waveform_url"] is None
    key = storage_keys.rendition_run(video.id, "cd" * 20, "v2") + "waveform.json"
    storage().put_bytes(key, b'{"duration":3,"rate":10,"peaks":[0.5]}')
    video.waveform_key = key
    db.session.commit()
    url = client.get(f"/api/v1/videos/{video.id}", headers=bearer(owner)).get_json()["waveform_url"]
    assert url.startswith(f"/v/{video.id}/media/") and url.endswith("/waveform.json")
    r = client.get(url, headers=bearer(owner))
    assert r.status_code == 200 and r.get_json()["peaks"] == [0.5]
    assert client.get(url, headers=bearer(stranger)).status_code == 404
