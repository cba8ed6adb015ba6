"""Processing overhead: worker wall time for a 60 s 1080p30 screen recording / the same ffmpeg commands run bare.

    .venv/bin/python benchmarks/processing_overhead.py [--seconds 60]

Baseline, measured in the same run: the exact argv the worker builds (probe, remux, poster, the one-pass
transcode, HLS segmenting, thumbnail count, storyboard tiling), run back to back with plain subprocess calls. The worker
figure is upload-done -> ready, including broker delivery, checksums, storage copies and database writes.
Target: ratio <= 1.10.
"""
from __future__ import annotations

import argparse
import os
import time

from _common import owner, parley, run_bare, submit, wait_video, workspace


def bare_pipeline(src, out, limits) -> float:
    from media_worker import commands, probe
    from media_worker.sandbox import Limits

    limits = limits or Limits()
    out.mkdir()
    t0 = time.perf_counter()
    info = probe.probe(src, cwd=out, limits=limits)  # the two ffprobe runs
    run_bare(commands.remux(info, src, "original.mp4", limits.max_pixels), out)
    run_bare(commands.poster(info, src, "poster.jpg", limits.max_pixels), out)
    plan = commands.plan_for(info)
    run_bare(commands.transcode(info, src, plan, limits.max_pixels, limits.threads), out)
    run_bare(commands.segment_copy(plan, limits.max_pixels), out)
    run_bare(commands.count_video_packets(plan.thumbs, limits.max_pixels), out)
    run_bare(commands.storyboard_sheet(plan, limits.max_pixels), out)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    from tests import media

    with workspace("overhead") as tmp:
        src = media.screen_recording_mp4(tmp / "screen.mp4", seconds=args.seconds)
        print(f"source: {args.seconds} s 1920x1080 30 fps H.264/AAC, {src.stat().st_size / 1e6:.1f} MB; "
              f"{os.cpu_count()} CPU cores")
        staging = tmp / "staging"
        staging.mkdir()
        with parley(tmp / "app") as app:
            from media_worker.sandbox import Limits

            limits = Limits.from_config(app.config)
            # Bare, worker, bare: the baseline is the mean of the runs either side, which evens out drift
            # in the machine's load.
            bare_runs = [bare_pipeline(src, tmp / "bare1", limits)]
            user = owner()
            video_id, t0 = submit(user, src, staging)
            v, t_ready = wait_video(video_id, lambda v: v.status == "ready")
            worker = t_ready - t0
            bare_runs.append(bare_pipeline(src, tmp / "bare2", limits))
            bare = sum(bare_runs) / len(bare_runs)
            from sqlalchemy import select

            from webapp.extensions import db
            from webapp.models import Job

            jobs = db.session.scalars(select(Job).where(Job.video_id == video_id)).all()
            inside = sum((j.finished_at - j.started_at).total_seconds() for j in jobs)
    print(f"bare ffmpeg commands back to back: {bare:7.2f} s   (runs: {bare_runs[0]:.2f}, {bare_runs[1]:.2f})")
    print(f"worker, upload done -> ready:      {worker:7.2f} s   (inside jobs: {inside:.2f} s)")
    print(f"overhead ratio (worker / bare):     {worker / bare:7.3f}   target <= 1.10")
    print(f"speed: {args.seconds / worker:.2f}x real time through the worker")


if __name__ == "__main__":
    main()
