"""Time to playable: from the upload's last byte to the instant original being set, for H.264 MP4 and VP8 WebM.

    .venv/bin/python benchmarks/time_to_playable.py [--seconds 60] [--runs 3]

The baseline is the source's own duration (a viewer would otherwise wait for a transcode at some multiple
of it); the target is under 2 s whatever the length.
"""
from __future__ import annotations

import argparse
import os
import statistics

from _common import owner, parley, submit, wait_video, workspace

TARGET_SECONDS = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from tests import media

    with workspace("ttp") as tmp:
        sources = {
            "H.264/AAC MP4 1280x720": media.h264_mp4(tmp / "a.mp4", size="1280x720", seconds=args.seconds, rate=30),
            "VP8/Opus WebM 1280x720 (MediaRecorder-like, no cues)":
                media.mediarecorder_like_webm(tmp / "b.webm", size="1280x720", seconds=args.seconds, rate=30),
        }
        staging = tmp / "staging"
        staging.mkdir()
        print(f"{args.seconds} s sources, {args.runs} runs each, {os.cpu_count()} CPU cores, embedded stack")
        with parley(tmp / "app"):
            user = owner()
            for label, path in sources.items():
                times = []
                for _ in range(args.runs):
                    video_id, t0 = submit(user, path, staging)
                    v, t1 = wait_video(video_id, lambda v: v.original_key is not None)
                    times.append(t1 - t0)
                    _drain(video_id)
                med = statistics.median(times)
                print(f"{label:55s} median {med:5.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)})  "
                      f"{'OK' if med < TARGET_SECONDS else 'SLOWER THAN'} target {TARGET_SECONDS:.0f} s; "
                      f"ratio to source duration {med / args.seconds:.3f}")


def _drain(video_id: str) -> None:
    """Wait for the transcode the upload queued, so the next measurement starts on an idle worker."""
    wait_video(video_id, lambda v: v.status == "ready", interval=0.2)


if __name__ == "__main__":
    main()
