"""Driving stream-upload.js in a real page: a recording's chunks handed in as MediaRecorder would, and what the
server and the browser's IndexedDB hold meanwhile."""
from __future__ import annotations

import base64
import hashlib
import time
from urllib.parse import urlsplit

from tests.conftest import wait_for
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import Upload, Video

MODULE = "/static/js/recorder/stream-upload.js"
PENDING = "/static/js/recorder/pending.js"


def split(data: bytes, count: int) -> list[bytes]:
    """Uneven pieces, as MediaRecorder's timesliced chunks are (keyframes make some larger)."""
    weights = [1 + (i % 3) for i in range(count)]
    cuts, pos = [], 0
    for w in weights[:-1]:
        pos += len(data) * w // sum(weights)
        cuts.append(pos)
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def start(page, title: str) -> str:
    """RecordingUpload.start in the page; every 'state' event is kept in window.states."""
    return page.evaluate("""async ([module, title]) => {
        const su = await import(module);
        window.states = [];
        window.progress = [];
        window.rec = await su.RecordingUpload.start({ endpoint: '/files/', mimeType: 'video/webm', title });
        rec.addEventListener('state', (e) => states.push(e.detail));
        rec.addEventListener('progress', (e) => progress.push(e.detail));
        return rec.id;
    }""", [MODULE, title])


def append(page, chunk: bytes) -> float:
    """rec.append(blob); returns how long the page took to accept it (seconds)."""
    began = time.monotonic()
    page.evaluate("""async (b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        await rec.append(new Blob([bytes], { type: 'video/webm' }));
    }""", base64.b64encode(chunk).decode())
    return time.monotonic() - began


def finish(page, timeout_ms: int = 60_000) -> dict:
    return page.evaluate("""(ms) => Promise.race([rec.finish(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('finish() took too long')), ms))])""", timeout_ms)


def upload_url(page) -> str:
    return page.evaluate("async () => { await rec.ready(); return rec.uploadUrl; }")


def head(page, url: str):
    """A tus HEAD with the page's cookies: (status, headers)."""
    res = page.request.head(url, headers={"Tus-Resumable": "1.0.0"})
    return res.status, res.headers


def server_offset(url: str) -> int | None:
    """The offset the server has stored (read from its database: works while the browser is cut off)."""
    db.session.rollback()
    upload = db.session.get(Upload, urlsplit(url).path.rsplit("/", 1)[-1])
    return None if upload is None else upload.offset


def stored_source(video_id: str) -> bytes:
    db.session.rollback()
    video = db.session.get(Video, video_id)
    assert video is not None and video.source_key, "the server kept no source for the video"
    return storage().read_bytes(video.source_key)


def idb_counts(page) -> dict:
    """How many recordings and chunks the browser keeps in IndexedDB."""
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const req = indexedDB.open('parley-recordings');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
            const db = req.result;
            const names = ['recordings', 'chunks'].filter((n) => db.objectStoreNames.contains(n));
            if (!names.length) { db.close(); resolve({ recordings: 0, chunks: 0 }); return; }
            const tx = db.transaction(names, 'readonly');
            const out = { recordings: 0, chunks: 0 };
            for (const n of names) tx.objectStore(n).count().onsuccess = (e) => { out[n] = e.target.result; };
            tx.oncomplete = () => { db.close(); resolve(out); };
        };
    })""")


def wait_offset(url: str, at_least: int, timeout: float = 20) -> int:
    return wait_for(lambda: (server_offset(url) or 0) >= at_least and server_offset(url), timeout=timeout,
                    what=f"the server to hold {at_least} bytes")


def offer_pending(page) -> None:
    """What boot.js does on every page: offerPending into #pending-recordings (made here if the page has none)."""
    page.evaluate("""async (module) => {
        let box = document.getElementById('pending-recordings');
        if (!box) {
            box = document.createElement('div');
            box.id = 'pending-recordings';
            document.querySelector('main').prepend(box);
        }
        const { offerPending } = await import(module);
        await offerPending(box);
    }""", PENDING)
