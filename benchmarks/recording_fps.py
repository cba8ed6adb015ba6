"""Recorded frame rate: 20 s of a 1280x720 screen with the camera bubble, through Parley's real recorder in Chromium.

    .venv/bin/python benchmarks/recording_fps.py [--seconds 20] [--source screen-camera] [--canvas]

A throw-away Parley (embedded stack) serves the page; Debian's Chromium with fake devices shares the page's own
tab, behind the recorder bars sweep and a counter ticks 30 times a second, and a fake camera feeds the bubble. The recorder draws
the composite, records it and streams it to the server as a user's recording would. ffprobe then counts the
stored recording's frames and reads their timestamps. The baseline is the requested 30 fps; the target is a share
of at least 0.8. --canvas takes away MediaStreamTrackProcessor, so the page's canvas composites (the path of
browsers without it), for comparison. The machine's load average is printed: other work on it costs frames.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import threading
import time

from _common import parley, workspace

CHROMIUM = "/usr/bin/chromium"
REQUESTED_FPS = 30
TARGET_SHARE = 0.8
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream",
         "--use-fake-device-for-media-stream=display-media-type=browser"]
# A moving test page behind the recorder, like a scrolling document or a demo: eight bars sweeping across (Web
# Animations, so the browser composites them) and a frame counter, so the shared tab changes 30 times a second
# (tab capture sends only changed frames).
ANIMATION = """() => {
    const layer = document.createElement('div');
    layer.style.cssText = 'position:fixed;inset:0;z-index:0;pointer-events:none;overflow:hidden;background:#fdfdf6';
    for (let i = 0; i < 8; i++) {
        const bar = document.createElement('div');
        bar.style.cssText = `position:absolute;top:0;bottom:0;width:40px;left:${i * 160}px;background:hsl(${i * 45} 70% 50%)`;
        bar.animate([{ transform: 'translateX(0)' }, { transform: 'translateX(160px)' }],
                    { duration: 1000, iterations: Infinity });
        layer.append(bar);
    }
    const counter = document.createElement('div');
    counter.style.cssText = 'position:absolute;left:40px;top:80px;font:bold 96px sans-serif;color:#111';
    layer.append(counter);
    let n = 0;
    setInterval(() => { counter.textContent = String(++n); }, 1000 / 30);
    document.body.prepend(layer);
}"""


# Where frames are lost: the frames each source delivered (the screen, and the camera's full-size track).
SPY = """() => {
    window.benchTracks = [];
    for (const name of ['getDisplayMedia', 'getUserMedia']) {
        const real = MediaDevices.prototype[name];
        MediaDevices.prototype[name] = async function (...args) {
            const stream = await real.apply(this, args);
            for (const t of stream.getVideoTracks()) window.benchTracks.push([name === 'getDisplayMedia' ? 'screen' : 'camera', t]);
            return stream;
        };
    }
}"""
STAGE_RATES = """async () => {
    const tracks = window.benchTracks.filter(([, t]) => t.readyState === 'live');
    const count = (t) => (t.stats ? t.stats.deliveredFrames : NaN);
    const before = tracks.map(([, t]) => count(t));
    await new Promise((r) => setTimeout(r, 3000));
    return Object.fromEntries(tracks.map(([name, t], i) => [name, (count(t) - before[i]) / 3]));
}"""


def serve(app):
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per chunk PATCH otherwise
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def record(base_url: str, seconds: float, source: str, canvas: bool) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        # bypass_csp: only so the benchmark can paint its moving test page behind the recorder.
        page = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True).new_page()
        if canvas:
            page.add_init_script("delete window.MediaStreamTrackProcessor")
        page.goto(base_url + "/signup")
        page.fill("input[name=display_name]", "Bench")
        page.fill("input[name=email]", "bench@example.com")
        page.fill("input[name=password]", "benchmark password 123")
        page.click("button[type=submit]")
        page.wait_for_url("**/videos")
        page.evaluate(ANIMATION)
        page.evaluate(SPY)
        page.click("#record-button")
        page.check(f"input[name=rec-source][value={source}]")
        page.click("#rec-start")
        page.wait_for_function("() => document.getElementById('recorder').dataset.state === 'recording'",
                               timeout=30_000)
        time.sleep(max(0.0, seconds - 3))
        stages = page.evaluate(STAGE_RATES)  # takes 3 s
        page.click("#rec-stop")
        page.wait_for_function("() => document.getElementById('rec-upload-state').dataset.state === 'done'",
                               timeout=120_000)
        browser.close()
    return stages


def frame_stats(path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
                          "-show_entries", "stream=codec_name,width,height,nb_read_frames",
                          "-show_entries", "packet=pts_time", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True, timeout=300)
    data = json.loads(out.stdout)
    stream = data["streams"][0]
    pts = sorted(float(p["pts_time"]) for p in data["packets"] if p.get("pts_time"))
    gaps = [b - a for a, b in zip(pts, pts[1:], strict=False)]
    span = pts[-1] - pts[0]
    frames = int(stream["nb_read_frames"])
    return {"codec": stream["codec_name"], "size": f"{stream['width']}x{stream['height']}", "frames": frames,
            "span": span, "fps": (frames - 1) / span if span > 0 else 0.0,
            "longest_gap": max(gaps) if gaps else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--source", choices=["screen-camera", "screen", "camera"], default="screen-camera")
    parser.add_argument("--canvas", action="store_true", help="composite on the page's canvas (no frame streams)")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        raise SystemExit("Debian's chromium is needed (make install-test installs it)")

    with workspace("recording-fps") as tmp, parley(tmp / "app", worker=False) as app:
        from webapp.adapters.storage import storage
        from webapp.extensions import db
        from webapp.models import Video

        server, url = serve(app)
        try:
            stages = record(url, args.seconds, args.source, args.canvas)
        finally:
            server.shutdown()
        db.session.remove()
        video = db.session.query(Video).one()
        s = frame_stats(storage().path(video.source_key))
    share = s["fps"] / REQUESTED_FPS
    load = os.getloadavg()[0]
    print("frames per second delivered by each stage, over the last 3 s: "
          + ", ".join(f"{k} {v:.1f}" for k, v in stages.items() if v == v))  # NaN: a browser without track stats
    how = " (canvas compositor)" if args.canvas else ""
    print(f"{args.seconds:.0f} s of {args.source}{how}, {s['codec']} {s['size']}, {os.cpu_count()} CPU cores (load {load:.1f}): "
          f"{s['frames']} frames over {s['span']:.2f} s = {s['fps']:.1f} fps; longest gap {s['longest_gap'] * 1000:.0f} ms")
    print(f"share of the requested {REQUESTED_FPS} fps: {share:.2f}  "
          f"({'OK' if share >= TARGET_SHARE else 'BELOW'} target {TARGET_SHARE})")


if __name__ == "__main__":
    main()
