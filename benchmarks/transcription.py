"""Transcription: speed (x real time), word error rate and word-start error of speech models on real speech.

    .venv/bin/python benchmarks/transcription.py [--configs NAME,...] [--repeat N]

Speech: Debian's pocketsphinx-testdata LibriVox clips (one reader, about 25 s in five clips), with the reference
texts that ship with them. "Joined": the five clips one after another, repeated --repeat times (default 4, about
100 s) so the speed is measured over more than one 30 s window; "clips": each clip alone (short clips are where
small models slip). Word starts: each clip's first word, against the clip's offset in the joined audio plus the
silence before its first sound (an energy threshold on the samples: a hand mark a script can make).

Each configuration runs in its own process (its peak memory is that process's), on the audio the worker would
hand the model (16 kHz mono float, decoded by ffmpeg), with the worker's own options; the baseline, tiny.en with
beam 1 and no voice detection, runs in the same session. Targets (issue 9): >= 10x real time on 2 cores, WER <= 2%
joined and <= 4% clip by clip, word-start error <= 150 ms, peak memory < 0.6 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
RATE = 16_000
CONFIGS = {
    # name: (model, options); "batched" uses faster-whisper's BatchedInferencePipeline (voice detection + batches)
    "tiny.en beam1 (baseline)": ("tiny.en", {"beam_size": 1}),
    "tiny.en beam1 vad": ("tiny.en", {"beam_size": 1, "vad_filter": True}),
    "base beam1 vad": ("base", {"beam_size": 1, "vad_filter": True}),
    "base beam5 vad": ("base", {"beam_size": 5, "vad_filter": True}),
    "base batched2 beam1": ("base", {"beam_size": 1, "batched": 2}),
    "base batched4 beam1": ("base", {"beam_size": 1, "batched": 4}),
    "base batched8 beam1": ("base", {"beam_size": 1, "batched": 8}),
    "base batched8 beam5": ("base", {"beam_size": 5, "batched": 8}),
}
SPOKEN_FORMS = {"mr": "mister", "mrs": "missus", "dr": "doctor"}


def normalise(text: str) -> list[str]:
    words = re.sub(r"[^a-z' ]+", " ", text.lower().replace("-", " ")).split()
    return [SPOKEN_FORMS.get(w, w) for w in (w.strip("'") for w in words) if w]


def wer(reference: list[str], hypothesis: list[str]) -> float:
    """Word error rate: the edit distance over words, over the reference's length."""
    row = list(range(len(hypothesis) + 1))
    for i, r in enumerate(reference, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hypothesis, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / max(1, len(reference))


def clips() -> list[tuple[Path, list[str]]]:
    refs = {}
    for line in (LIBRIVOX / "transcription").read_text().splitlines():
        m = re.match(r"<s> (.*) </s> \((.*)\)", line.strip())
        if m:
            refs[m.group(2)] = normalise(m.group(1))
    return [(LIBRIVOX / f"{name}.wav", words) for name, words in sorted(refs.items())]


def pcm(path: Path) -> np.ndarray:
    out = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-ac", "1", "-ar", str(RATE), "-f",
                          "f32le", "pipe:1"], check=True, capture_output=True).stdout
    return np.frombuffer(out, dtype=np.float32)


def first_sound(audio: np.ndarray) -> float:
    """Seconds before the first 10 ms frame louder than a tenth of the clip's loudest frame."""
    frames = audio[: len(audio) // 160 * 160].reshape(-1, 160)
    energy = np.sqrt((frames ** 2).mean(axis=1))
    return float(np.argmax(energy > 0.1 * energy.max()) * 0.01)


def run_one(name: str, repeat: int) -> dict:
    """In a child process: load the model, transcribe joined and clip by clip, measure."""
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    model_name, options = CONFIGS[name]
    options = dict(options)
    batch = options.pop("batched", 0)
    model = WhisperModel(str(ROOT / ".models" / model_name), device="cpu", compute_type="int8", cpu_threads=0)
    engine = BatchedInferencePipeline(model) if batch else model
    extra = {"batch_size": batch} if batch else {"condition_on_previous_text": False}
    kw = {"word_timestamps": True, "language": "en", **options, **extra}
    pieces = [(pcm(path), words) for path, words in clips()]
    joined = np.concatenate([a for a, _ in pieces] * repeat)
    reference = [w for _, words in pieces for w in words] * repeat
    starts, at = [], 0.0
    for a, _ in pieces:
        starts.append(at + first_sound(a))
        at += len(a) / RATE

    engine.transcribe(pieces[0][0], **kw)  # warm-up: first-call costs are not the steady speed
    t0 = time.perf_counter()
    segments, _ = engine.transcribe(joined, **kw)
    segments = list(segments)
    seconds = time.perf_counter() - t0
    words = [(w.start, w.word) for s in segments for w in (s.words or [])]
    hypothesis = [w for s in segments for w in normalise(s.text)]
    # Each clip's first word: the recognised word whose start is nearest the mark (first repeat only).
    starts_error = [min(abs(ws - mark) for ws, _ in words) * 1000 for mark in starts] if words else [float("inf")]

    clip_errors, clip_words = 0.0, 0
    for audio, ref in pieces:
        segs, _ = engine.transcribe(audio, **kw)
        hyp = [w for s in segs for w in normalise(s.text)]
        clip_errors += wer(ref, hyp) * len(ref)
        clip_words += len(ref)
    return {"name": name, "audio_seconds": len(joined) / RATE, "seconds": seconds,
            "speed": len(joined) / RATE / seconds, "wer_joined": wer(reference, hypothesis),
            "wer_clips": clip_errors / clip_words, "word_start_ms": max(starts_error),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", help="comma-separated names (default: all)")
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.repeat)))
        return
    if not (LIBRIVOX / "transcription").exists():
        raise SystemExit("Debian's pocketsphinx-testdata is not installed (make test installs it)")
    names = args.configs.split(",") if args.configs else list(CONFIGS)
    print(f"{os.cpu_count()} CPU cores; speech: {len(clips())} LibriVox clips, joined x{args.repeat}")
    print(f"{'configuration':28} {'x real time':>11} {'WER joined':>10} {'WER clips':>9} {'word start':>10} "
          f"{'peak MB':>8} {'speed vs baseline':>17}")
    baseline = None
    for name in names:
        out = subprocess.run([sys.executable, __file__, "--one", name, "--repeat", str(args.repeat)],
                             capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            print(f"{name:28} failed: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else '?'}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        baseline = baseline or (r if name.endswith("(baseline)") else None)
        ratio = f"{r['speed'] / baseline['speed']:.2f}" if baseline else "-"
        print(f"{name:28} {r['speed']:10.1f}x {r['wer_joined']:9.2%} {r['wer_clips']:9.2%} "
              f"{r['word_start_ms']:8.0f}ms {r['peak_mb']:8.0f} {ratio:>17}", flush=True)


if __name__ == "__main__":
    main()
