"""Stop -> playable share link for recordings streamed while they are made, against a `make run`-like server.

    infra/with_services.py -- .venv/bin/python benchmarks/record_to_share.py [--quick] [--stack both]

Each recording is a cue-less VP9/Opus WebM (about 2.5 Mbps, 1280x720) cut into one chunk per second, handed at
that rate to the recorder's own upload module (webapp/static/js/recorder/stream-upload.js) in headless Chromium,
which streams it as a deferred-length tus upload. The recordings run at the same time, started together so their
Stops fall apart (10 s, 2 min, 10 min; --quick: 10 s and 30 s). Stop = the last chunk handed over; playable = the
share link, opened in a new page, has a <video> with a finite duration and readyState >= 2 (--client python: a
Python tus client, and the status JSON's original answering with a duration in its first MiB).
Baseline, in the same run: the same file uploaded whole after Stop (tus, known length, 32 MiB PATCHes as the
uploader sends) and opened the same way. Also printed: bytes sent after Stop as a share of the recording (target
< 5% for 2 min), and where the time goes (final PATCH, worker pickup, ingest steps from the worker's log).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import threading
import time
from datetime import UTC
from pathlib import Path
from urllib.parse import urljoin

import requests
from _recording_stack import (
    MAKE_RUN_WORKERS,
    ONE_WORKER,
    TusClient,
    ffprobe_duration,
    rmtree,
    screen_recording_webm,
    served,
)

TARGET_SECONDS = 1.5
POLL = 0.25  # status.js's pace for a video that just finished uploading
UPLOADER_CHUNK = 32 * 1024 * 1024  # webapp/static/js/uploader.js
CHUNK_SECONDS = 1.0  # MediaRecorder's timeslice; --rate changes it for development runs only


def wait_playable(client: TusClient, video_id: str, scratch: Path, timeout: float = 300) -> dict:
    """Poll as the watch page does; then fetch the original's head as the player would. Returns moments."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        info = client.http.get(f"{client.base}/v/{video_id}/status", timeout=30).json()
        if info["status"] == "failed":
            raise RuntimeError(f"video {video_id} failed: {info['error']}")
        original = (info.get("playback") or {}).get("original")
        if original:
            seen = time.time()
            r = client.http.get(client.base + original if original.startswith("/") else original,
                                headers={"Range": "bytes=0-1048575"}, timeout=30)
            done = time.time()
            head = scratch / f"{video_id}.head.webm"
            head.write_bytes(r.content)
            duration = ffprobe_duration(head) if r.status_code in (200, 206) else None
            head.unlink()
            if not duration:
                raise RuntimeError(f"original of {video_id} answered {r.status_code} without a duration")
            return {"seen": seen, "playable": done, "duration": duration}
        time.sleep(POLL)
    raise TimeoutError(video_id)


def wait_ready(client: TusClient, video_id: str, timeout: float = 3600) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        info = client.http.get(f"{client.base}/v/{video_id}/status", timeout=30).json()
        transcribing = (info.get("transcript") or {}).get("state") in ("queued", "running")
        if info["status"] in ("ready", "failed") and not transcribing:  # its transcript is work on the worker too
            return
        time.sleep(1)


def stream_recording(client: TusClient, path: Path, seconds: int, scratch: Path, rate: float = 1.0) -> dict:
    """Send `path` as a recording made right now: chunk i leaves when second i+1 of the recording ends."""
    data = path.read_bytes()
    per = -(-len(data) // seconds)
    location, video_id = client.create(title=f"Recording {seconds} s")
    t0, offset, patch_times = time.time(), 0, []
    for i in range(seconds):
        piece = data[i * per:(i + 1) * per]
        last = i == seconds - 1
        time.sleep(max(0.0, t0 + (i + 1) * CHUNK_SECONDS / rate - time.time()))
        started = time.time()
        if last:
            stop = started  # MediaRecorder hands over its last chunk at Stop
        offset = client.patch(location, offset, piece, length=len(data) if last else None)
        patch_times.append(time.time() - started)
    acked = time.time()
    moments = wait_playable(client, video_id, scratch)
    return {"video": video_id, "stop": stop, "acked": acked, "after_stop": len(piece), "size": len(data),
            "patch_median": sorted(patch_times)[len(patch_times) // 2], "patch_max": max(patch_times), **moments}


def upload_whole(client: TusClient, path: Path, scratch: Path, watch=None) -> dict:
    """The baseline: the finished file through the existing uploader's path, from Stop to playable."""
    size = path.stat().st_size
    stop = time.time()
    location, video_id = client.create(length=size, title="Whole upload", source="upload")
    offset = 0
    with open(path, "rb") as f:
        while offset < size:
            offset = client.patch(location, offset, f.read(UPLOADER_CHUNK))
    acked = time.time()
    moments = watch(video_id) if watch else wait_playable(client, video_id, scratch)
    return {"video": video_id, "stop": stop, "acked": acked, "size": size, **moments}


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-background-timer-throttling",
                 "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows",
                 "--autoplay-policy=no-user-gesture-required"]
# Runs in the page: the recorder's own upload module, fed one chunk per timeslice (served by the benchmark
# through a route, so no server work), Stop = the last chunk handed over, then finish().
RECORD_JS = """async ({n, rate, title}) => {
  const { RecordingUpload } = await import('/static/js/recorder/stream-upload.js');
  const rec = await RecordingUpload.start({ endpoint: '/files/', mimeType: 'video/webm', title, visibility: 'team' });
  let acked = 0;
  rec.addEventListener('progress', (e) => { acked = e.detail.acked; });
  const t0 = performance.now();
  let stop = 0, ackedAtStop = 0;
  for (let i = 0; i < n; i++) {
    const blob = await (await fetch(`/__bench__/chunk/${i}`)).blob();
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + (i + 1) * 1000 / rate - performance.now())));
    if (i === n - 1) { stop = Date.now(); ackedAtStop = acked; }
    rec.append(blob);
  }
  const done = await rec.finish();
  return { ...done, stop: stop / 1000, acked: Date.now() / 1000, ackedAtStop };
}"""
PLAYABLE_JS = """() => { const v = document.getElementById('video');
  return v && v.readyState >= 2 && isFinite(v.duration) && v.duration > 0; }"""


async def _browser_page(browser, srv, cookies):
    # The test S3 server speaks plain http, which the CSP (media-src https:) refuses; production S3 is https.
    context = await browser.new_context(bypass_csp=srv.stack == "production")
    await context.add_cookies([{"name": k, "value": v, "url": srv.url} for k, v in cookies.items()])
    return context, await context.new_page()


async def _watch_until_playable(page, url: str) -> dict:
    """Open the share link as someone who was sent it: the moment its <video> has a duration and a frame."""
    await page.goto(url)
    await page.wait_for_function(PLAYABLE_JS, timeout=300_000, polling=50)
    done = time.time()
    return {"seen": done, "playable": done,
            "duration": await page.evaluate("document.getElementById('video').duration")}


async def _browser_record(browser, srv, cookies, data: bytes, seconds: int, rate: float) -> dict:
    per = -(-len(data) // seconds)
    context, page = await _browser_page(browser, srv, cookies)
    try:
        await page.route("**/__bench__/chunk/*", lambda route: route.fulfill(
            status=200, content_type="video/webm",
            body=data[int(route.request.url.rsplit("/", 1)[1]) * per:][:per]))
        await page.goto(srv.url + "/")
        r = await page.evaluate(RECORD_JS, {"n": seconds, "rate": rate, "title": f"Recording {seconds} s"})
        watch = await context.new_page()
        moments = await _watch_until_playable(watch, urljoin(srv.url + "/", r["videoUrl"]))
        return {"video": r["videoId"], "stop": r["stop"], "acked": r["acked"], "size": len(data),
                "after_stop": len(data) - r["ackedAtStop"], "patch_median": float("nan"),
                "patch_max": float("nan"), **moments}
    finally:
        await context.close()


async def _browser_recordings(srv, cookies, files: dict, lengths: list[int], rate: float) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            results = await asyncio.gather(*(_browser_record(browser, srv, cookies, files[s].read_bytes(), s, rate)
                                             for s in lengths))
        finally:
            await browser.close()
    return dict(zip(lengths, results, strict=True))


async def _browser_baseline(srv, cookies, client: TusClient, path: Path, scratch: Path) -> dict:
    """The whole-file baseline, watched the same way; the browser is up before the upload starts."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context, page = await _browser_page(browser, srv, cookies)
            await page.goto(srv.url + "/")
            moments = {}

            async def watch(video_id):
                moments.update(await _watch_until_playable(page, f"{srv.url}/v/{video_id}"))
                return moments

            loop = asyncio.get_running_loop()
            return await asyncio.to_thread(upload_whole, client, path, scratch, watch=lambda vid: (
                asyncio.run_coroutine_threadsafe(watch(vid), loop).result()))
        finally:
            await browser.close()


def signed_in_cookies(srv) -> dict:
    s = requests.Session()
    token = re.search(r'name="csrf-token" content="([^"]+)"', s.get(srv.url + "/login", timeout=30).text).group(1)
    r = s.post(srv.url + "/login", data={"email": srv.email, "password": srv.password, "csrf_token": token},
               allow_redirects=False, timeout=30)
    if r.status_code not in (302, 303):
        raise SystemExit(f"login failed: {r.status_code}")
    return s.cookies.get_dict()


def job_times(app, video_id: str) -> dict:
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.media_state import JobKind
    from webapp.models import Job

    with app.app_context():
        job = db.session.scalars(select(Job).where(Job.video_id == video_id, Job.kind == JobKind.INGEST)
                                 .order_by(Job.id)).first()
        stamp = lambda dt: dt.replace(tzinfo=UTC).timestamp() if dt else None  # noqa: E731
        return {"queued": stamp(job.created_at), "claimed": stamp(job.started_at), "flipped": stamp(job.finished_at)}


def ingest_steps(workdir: Path, video_id: str) -> str:
    for log in sorted(workdir.glob("worker*.log")):
        m = re.search(rf"ingest of video {re.escape(video_id)} \(\d+ bytes\): (.*?) s$", log.read_text(), re.M)
        if m:
            return m.group(1)
    return "?"


def breakdown(r: dict, app, workdir: Path) -> str:
    deadline = time.time() + 120
    while (j := job_times(app, r["video"]))["flipped"] is None and time.time() < deadline:
        time.sleep(0.2)  # the poster comes after the original: the ingest may still be finishing
    if j["flipped"] is None:
        return "ingest still running"
    return (f"final PATCH answered {r['acked'] - r['stop']:.2f}; job queued +{j['queued'] - r['stop']:.2f}; "
            f"claimed +{j['claimed'] - r['stop']:.2f}; "
            + (f"watch page playable +{r['playable'] - r['stop']:.2f}; " if r["seen"] == r["playable"] else
               f"original seen by the poll +{r['seen'] - r['stop']:.2f}; "
               f"head fetched +{r['playable'] - r['stop']:.2f}; ")
            + f"ingest done +{j['flipped'] - r['stop']:.2f} "
            f"[{ingest_steps(workdir, r['video'])}]")


def run_stack(stack: str, lengths: list[int], workers: dict, tmp: Path, *, rate: float = 1.0, drain: bool = True,
              browser: bool = True) -> list[tuple]:
    files = {s: screen_recording_webm(s) for s in lengths}
    rows = []
    with served(tmp / stack, stack=stack, workers=workers) as srv:
        client = TusClient(srv.url, srv.token)
        # Started together, so the Stops fall at 10 s, 2 min and 10 min: apart, with the others still streaming.
        if browser:
            cookies = signed_in_cookies(srv)
            results = asyncio.run(_browser_recordings(srv, cookies, files, lengths, rate))
        else:
            results = python_recordings(srv, files, lengths, rate, tmp)
        for s in lengths:
            if drain:
                wait_ready(client, results[s]["video"])  # the baselines start on an idle worker
        for s in lengths:
            if browser:
                base = asyncio.run(_browser_baseline(srv, cookies, client, files[s], tmp))
            else:
                base = upload_whole(client, files[s], tmp)
            if drain:
                wait_ready(client, base["video"])
            rec = results[s]
            t_rec, t_base = rec["playable"] - rec["stop"], base["playable"] - base["stop"]
            rows.append((stack, s, rec, base, t_rec, t_base, breakdown(rec, srv.app, srv.workdir),
                         breakdown(base, srv.app, srv.workdir)))
    return rows


def python_recordings(srv, files: dict, lengths: list[int], rate: float, tmp: Path) -> dict:
    results, errors = {}, []

    def one(seconds):
        try:
            results[seconds] = stream_recording(TusClient(srv.url, srv.token), files[seconds], seconds, tmp, rate)
        except Exception as e:  # reported after the others finish
            errors.append((seconds, e))

    threads = [threading.Thread(target=one, args=(s,)) for s in lengths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"recording failed: {errors}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="dev only: 10 s and 30 s recordings")
    parser.add_argument("--stack", choices=["embedded", "production", "both"], default="both")
    parser.add_argument("--workers", choices=["make-run", "one"], default="make-run",
                        help="make-run: one worker per queue, the long one niced; one: a single worker "
                             "-Q short,long --concurrency 2 (make run before recordings)")
    parser.add_argument("--lengths", type=lambda t: [int(x) for x in t.split(",")],
                        help="dev only: recording lengths in seconds, e.g. 120,600")
    parser.add_argument("--rate", type=float, default=1.0,
                        help="dev only: chunks per second (the work after Stop does not depend on it)")
    parser.add_argument("--short-only", action="store_true",
                        help="dev only: the worker serves the short queue alone, so no transcode competes")
    parser.add_argument("--client", choices=["browser", "python"], default="browser",
                        help="browser: stream-upload.js in headless Chromium, playable = the watch page's <video>; "
                             "python: a Python tus client, playable = the status JSON's original has a duration")
    args = parser.parse_args()
    lengths = args.lengths or ([10, 30] if args.quick else [10, 120, 600])
    stacks = ["embedded", "production"] if args.stack == "both" else [args.stack]
    workers = MAKE_RUN_WORKERS if args.workers == "make-run" else ONE_WORKER
    if args.short_only:
        workers = {"worker": ([], ["-Q", "short", "--concurrency", "1"])}
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"parley-rts-{os.getpid()}"
    print(f"{os.cpu_count()} CPU cores; workers: {'short queue only' if args.short_only else args.workers}; "
          f"chunks every {CHUNK_SECONDS / args.rate:.2f} s; "
          f"recordings {', '.join(f'{s} s' for s in lengths)} streamed at once")
    try:
        for stack in stacks:
            rows = run_stack(stack, lengths, workers, tmp, rate=args.rate, drain=not args.short_only,
                             browser=args.client == "browser")
            for stack_name, s, rec, _base, t_rec, t_base, why_rec, why_base in rows:
                share = rec["after_stop"] / rec["size"]
                print(f"{stack_name:10s} {s:4d} s ({rec['size'] / 1e6:6.1f} MB): Stop -> playable {t_rec:5.2f} s "
                      f"({'OK' if t_rec < TARGET_SECONDS else 'OVER'} target {TARGET_SECONDS} s); "
                      f"whole upload {t_base:6.2f} s; ratio {t_rec / t_base:.3f}; sent after Stop {share:.2%}; "
                      + (f"chunk PATCH median {rec['patch_median'] * 1000:.0f} ms, max {rec['patch_max'] * 1000:.0f} ms; "
                         if rec["patch_median"] == rec["patch_median"] else "") +
                      f"original duration {rec['duration']:.1f} s")
                print(f"    streamed: {why_rec}")
                print(f"    whole:    {why_base}")
    except requests.RequestException as e:
        raise SystemExit(f"the server stopped answering: {e}") from None
    finally:
        rmtree(tmp)


if __name__ == "__main__":
    main()
