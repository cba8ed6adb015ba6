"""Reading screens: CPU time of the screen scan (scene changes + a picture per screen + OCR) / the transcode's.

    .venv/bin/python benchmarks/screens.py [--seconds 60] [--slide-seconds 6]

The input is a generated 1080p30 screen recording: slides of text (a title and a few lines each) changing every
few seconds, with a pointer moving over them the whole time, as a person presenting would. Both sides run the
exact argv the worker builds, in this process's children, and CPU time is what those children used
(RUSAGE_CHILDREN: ffmpeg, ffprobe, tesseract) plus this process's own for the scan (comparing pictures, parsing
tesseract's output). The transcode is the one-pass ladder + storyboard, HLS segmenting and the storyboard sheet.
Target: scan CPU <= 10% of transcode CPU.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import time
from pathlib import Path

from _common import run_bare, workspace

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
TOPICS = ["Roadmap", "Budget", "Hiring", "Search", "Sharing", "Recorder", "Transcripts", "Chapters", "Security",
          "Storage", "Pricing", "Questions"]


def deck(path: Path, seconds: int, slide_seconds: int) -> tuple[Path, int]:
    """The recording, and how many slides it shows."""
    draws, n = [], 0
    for n, start in enumerate(range(0, seconds, slide_seconds)):
        end = min(seconds, start + slide_seconds)
        when = f"enable='between(t,{start},{end - 0.001})'"
        topic = TOPICS[n % len(TOPICS)]
        draws.append(f"drawtext=fontfile={BOLD}:text='{n + 1}. {topic}':fontsize=88:x=140:y=120:{when}")
        for line in range(4):
            draws.append(f"drawtext=fontfile={FONT}:text='{topic} point {line + 1} with some detail':fontsize=44:"
                         f"x=180:y={330 + line * 110}:fontcolor=0x333333:{when}")
    # The pointer: a small dark square drifting over the slide.
    draws.append("drawbox=x='400+300*sin(t)':y='500+200*cos(t*0.7)':w=24:h=24:color=0x202020:t=fill")
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"color=c=0xfafaf5:size=1920x1080:rate=30:duration={seconds}", "-f", "lavfi", "-i",
                    f"sine=frequency=220:sample_rate=48000:duration={seconds}", "-vf", ",".join(draws),
                    "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", str(path)], check=True, timeout=600)
    return path, n + 1


def cpu(who) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


class Bench:
    """The parts of a job's context the scan uses, running commands the way the worker does (sandboxed)."""

    def __init__(self, out: Path, limits):
        self.out, self.limits, self.video_id = out, limits, "bench"

    def run(self, argv, *, stage="", media_seconds=None, span=None):
        from media_worker import sandbox

        return sandbox.run(argv, cwd=self.out, limits=self.limits, media_seconds=media_seconds, what=argv[0])

    def check(self):
        pass

    def progress(self, *_args, **_kwargs):
        pass


def transcode_cpu(src: Path, out: Path, limits) -> tuple[float, float]:
    from media_worker import commands, probe

    out.mkdir()
    c0, t0 = cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    info = probe.probe(src, cwd=out, limits=limits)
    plan = commands.plan_for(info)
    run_bare(commands.transcode(info, src, plan, limits.max_pixels, limits.threads), out)
    run_bare(commands.segment_copy(plan, limits.max_pixels), out)
    run_bare(commands.storyboard_sheet(plan, limits.max_pixels), out)
    return cpu(resource.RUSAGE_CHILDREN) - c0, time.perf_counter() - t0


def scan_cpu(src: Path, out: Path, limits, langs: str) -> tuple[float, float, list]:
    from media_worker import probe, screens

    out.mkdir()
    ctx = Bench(out, limits)
    c0, s0, t0 = cpu(resource.RUSAGE_CHILDREN), cpu(resource.RUSAGE_SELF), time.perf_counter()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    engine = screens.ocr_engine(langs)
    info = probe.probe_header(src, cwd=out, limits=limits)
    readings = screens.read_screens(ctx, engine, langs, screens.find_screens(ctx, info, src, info.duration),
                                    info.duration)
    used = cpu(resource.RUSAGE_CHILDREN) - c0 + cpu(resource.RUSAGE_SELF) - s0
    return used, time.perf_counter() - t0, readings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--slide-seconds", type=int, default=6)
    args = parser.parse_args()
    from media_worker.sandbox import Limits

    limits = Limits()
    with workspace("screens") as tmp:
        src, slides = deck(tmp / "deck.mp4", args.seconds, args.slide_seconds)
        print(f"source: {args.seconds} s 1920x1080 30 fps H.264/AAC screen recording, {slides} slides, "
              f"{src.stat().st_size / 1e6:.1f} MB; {os.cpu_count()} CPU cores")
        transcode, transcode_wall = transcode_cpu(src, tmp / "transcode", limits)
        scan, scan_wall, readings = scan_cpu(src, tmp / "scan", limits, "eng")
    read = sum(1 for r in readings if r.text)
    print(f"transcode CPU: {transcode:7.2f} s   (wall {transcode_wall:.2f} s)")
    print(f"screen scan CPU: {scan:5.2f} s   (wall {scan_wall:.2f} s; {len(readings)} screens found for "
          f"{slides} slides, {read} with text)")
    print(f"per minute of recording: scan {scan * 60 / args.seconds:.2f} s CPU, "
          f"transcode {transcode * 60 / args.seconds:.2f} s CPU")
    print(f"ratio (scan / transcode CPU): {scan / transcode:7.3f}   target <= 0.10")


if __name__ == "__main__":
    main()
