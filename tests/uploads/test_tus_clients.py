"""Standard tus clients over real HTTP: tuspy (Python) and tus-js-client (Node), including resuming."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from tusclient import client as tus_client

from tests.conftest import ROOT
from tests.uploads.helpers import queued_jobs, random_file, stored_source
from webapp.extensions import db
from webapp.models import Upload, Video

CHUNK = 256 * 1024


def _video_for(url: str) -> Video:
    db.session.expire_all()
    return db.session.get(Upload, url.rsplit("/", 1)[1]).video


def test_tuspy_uploads_in_chunks_with_checksums(live_server, owner, tmp_path):
    src = random_file(tmp_path / "clip.webm", 5 * CHUNK + 12345)
    client = tus_client.TusClient(f"{live_server.url}/files/", headers={"Authorization": f"Bearer {owner.token}"})
    uploader = client.uploader(str(src), chunk_size=CHUNK, upload_checksum=True,
                               metadata={"filename": "clip.webm", "filetype": "video/webm", "title": "Über tuspy"})
    uploader.upload()
    video = _video_for(uploader.url)
    assert video.title == "Über tuspy" and video.status == "queued"
    assert stored_source(video.id, tmp_path / "back") == src.read_bytes()
    assert len(queued_jobs(video.id)) == 1


def test_tuspy_resumes_an_interrupted_upload_from_the_server_offset(live_server, owner, tmp_path):
    src = random_file(tmp_path / "long.webm", 6 * CHUNK + 777)
    headers = {"Authorization": f"Bearer {owner.token}"}
    first = tus_client.TusClient(f"{live_server.url}/files/", headers=headers).uploader(
        str(src), chunk_size=CHUNK, upload_checksum=True, metadata={"filename": "long.webm"})
    first.upload(stop_at=3 * CHUNK)  # the connection "drops" after three chunks
    assert _video_for(first.url).status == "uploading"
    # A new process, knowing only the upload URL, asks the server where to continue.
    second = tus_client.TusClient(f"{live_server.url}/files/", headers=headers).uploader(
        str(src), url=first.url, chunk_size=CHUNK, upload_checksum=True)
    assert second.offset == 3 * CHUNK
    second.upload()
    video = _video_for(first.url)
    assert stored_source(video.id, tmp_path / "back") == src.read_bytes()
    assert len(queued_jobs(video.id)) == 1


def _node_modules() -> Path:
    path = ROOT / "node_modules"
    if not (path / "tus-js-client").is_dir():
        pytest.fail("node_modules/tus-js-client is missing: run `make install` (npm ci)")
    return path


@pytest.mark.parametrize("stop_after", [0, 3 * CHUNK])
def test_tus_js_client_uploads_and_resumes(live_server, owner, tmp_path, stop_after):
    node = shutil.which("node")
    assert node, "node is required for the tus-js-client test"
    src = random_file(tmp_path / "browser.webm", 5 * CHUNK + 4321)
    script = Path(__file__).with_name("tus_js_client.js")
    out = subprocess.run(
        [node, str(script), f"{live_server.url}/files/", owner.token, str(src), str(CHUNK), str(stop_after)],
        capture_output=True, text=True, timeout=120, env={"NODE_MODULES": str(_node_modules()), "PATH": "/usr/bin:/bin"})
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "error" not in result, result
    assert result["resumedFrom"] == stop_after
    video = _video_for(result["url"])
    assert result["videoId"] == video.id and result["videoUrl"] == f"/v/{video.id}"
    assert video.title == "From tus-js-client"
    assert stored_source(video.id, tmp_path / "back") == src.read_bytes()
    assert len(queued_jobs(video.id)) == 1
