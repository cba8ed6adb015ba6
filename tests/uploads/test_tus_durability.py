"""Bodies that break off, stall or race: over real sockets, so the server sees what a real network does."""
from __future__ import annotations

import socket
import threading
from urllib.parse import urlsplit

import requests

from tests.conftest import wait_for
from tests.uploads.helpers import checksum, metadata, patch_headers, stored_source, tus
from webapp.extensions import db
from webapp.models import Upload
from webapp.services import uploads


def _create(server, token, length) -> str:
    resp = requests.post(f"{server.url}/files/", headers=tus(token, Upload_Length=length,
                                                             Upload_Metadata=metadata(filename="x.webm")), timeout=10)
    assert resp.status_code == 201
    return resp.headers["Location"]


def _offset(location, token) -> int:
    return int(requests.head(location, headers=tus(token), timeout=10).headers["Upload-Offset"])


def _open_patch(location, token, offset, content_length) -> socket.socket:
    """Send a PATCH's headers, announcing `content_length` bytes, and return the socket for the body."""
    url = urlsplit(location)
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    headers = patch_headers(token, offset, Content_Length=content_length, Host=url.netloc)
    head = f"PATCH {url.path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sock.sendall(head.encode())
    return sock


def _response(sock) -> tuple[int, dict]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers


def test_a_dropped_connection_keeps_the_bytes_that_arrived(live_server, owner, tmp_path):
    data = bytes(range(256)) * 1024  # 256 KiB
    location = _create(live_server, owner.token, len(data))
    sock = _open_patch(location, owner.token, 0, len(data))
    sock.sendall(data[:100_000])
    sock.close()  # the laptop lid closes mid-PATCH
    kept = wait_for(lambda: _offset(location, owner.token), timeout=20, what="the offset to reflect the kept bytes")
    assert kept == 100_000
    rest = requests.patch(location, data=data[kept:], headers=patch_headers(owner.token, kept), timeout=30)
    assert rest.status_code == 204
    upload = db.session.get(Upload, location.rsplit("/", 1)[1])
    assert stored_source(upload.video_id, tmp_path / "back") == data


def test_a_stalled_client_is_cut_off_and_keeps_its_bytes(live_server, app, owner):
    app.config["UPLOAD_IDLE_SECONDS"] = 1
    location = _create(live_server, owner.token, 50_000)
    sock = _open_patch(location, owner.token, 0, 50_000)
    sock.sendall(b"s" * 20_000)  # ... and then nothing: the worker must not wait forever
    status, headers = _response(sock)
    sock.close()
    assert status == 204
    assert headers["Upload-Offset"] == "20000"
    assert headers.get("Connection", "").lower() == "close"
    assert _offset(location, owner.token) == 20_000


def test_two_concurrent_patches_cannot_corrupt_an_upload(live_server, owner, tmp_path):
    data = b"A" * 40_000 + b"B" * 40_000
    location = _create(live_server, owner.token, len(data))
    slow = _open_patch(location, owner.token, 0, 40_000)
    slow.sendall(data[:10_000])
    upload = db.session.get(Upload, location.rsplit("/", 1)[1])
    part = uploads.part_path(upload)
    wait_for(lambda: part.stat().st_size >= 10_000, timeout=10, what="the first PATCH to start writing")
    racer = requests.patch(location, data=b"Z" * 40_000, headers=patch_headers(owner.token, 0), timeout=10)
    assert racer.status_code == 409
    slow.sendall(data[10_000:40_000])
    status, headers = _response(slow)
    slow.close()
    assert status == 204 and headers["Upload-Offset"] == "40000"
    final = requests.patch(location, data=data[40_000:], headers=patch_headers(owner.token, 40_000), timeout=10)
    assert final.status_code == 204
    assert stored_source(upload.video_id, tmp_path / "back") == data


def test_many_racing_patches_at_one_offset_write_exactly_once(live_server, owner, tmp_path):
    chunk = b"C" * 200_000
    location = _create(live_server, owner.token, 2 * len(chunk))
    results = []

    def send():
        results.append(requests.patch(location, data=chunk, headers=patch_headers(owner.token, 0), timeout=30))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    assert codes.count(204) == 1 and set(codes) == {204, 409}, codes
    assert _offset(location, owner.token) == len(chunk)


def test_chunked_bodies_without_content_length(live_server, owner, tmp_path):
    location = _create(live_server, owner.token, 3000)

    def pieces(total):
        for _ in range(total // 500):
            yield b"k" * 500

    too_long = requests.patch(location, data=pieces(4000), headers=patch_headers(owner.token, 0), timeout=30)
    assert too_long.status_code == 413
    assert _offset(location, owner.token) == 0
    unverifiable = requests.patch(location, data=pieces(500), timeout=30,
                                  headers=patch_headers(owner.token, 0, Upload_Checksum=checksum(b"k" * 500)))
    assert unverifiable.status_code == 411  # a checksummed chunk must say how long it is
    ok = requests.patch(location, data=pieces(3000), headers=patch_headers(owner.token, 0), timeout=30)
    assert ok.status_code == 204 and ok.headers["Upload-Offset"] == "3000"
    upload = db.session.get(Upload, location.rsplit("/", 1)[1])
    assert stored_source(upload.video_id, tmp_path / "back") == b"k" * 3000
