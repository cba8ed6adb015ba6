"""TRANSCRIBE (long queue, after the video plays): speech -> timed segments with word timings, by faster-whisper.

The sound is decoded by the sandboxed ffmpeg into 16 kHz float PCM and handed to the model as an array, so the
model's own decoder (PyAV, unsandboxed) never opens an upload. Segments come out one by one as the model goes:
each reports progress and is a point where a lost lease or a shutdown stops the attempt. A model that cannot be
loaded is not a failure of the video: the transcript says so and can be run again once the model is there.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

import numpy as np
from flask import current_app

from media_worker import commands, probe
from media_worker.context import JobContext
from media_worker.ingest import _materialize
from webapp.services import transcripts

log = logging.getLogger(__name__)

DECODE_SPAN = (0.0, 0.1)  # of the transcript's progress bar; the model takes the rest
_models: dict[tuple, object] = {}
_models_lock = threading.Lock()


class ModelUnavailable(Exception):
    """No speech model could be loaded here; the message says which and why, in words."""


def model_location(cfg) -> tuple[str, str]:
    """(what faster-whisper loads, the name to show): a folder, a name found in MODEL_DIR, or a hub name."""
    wanted = cfg["TRANSCRIBE_MODEL"]
    as_path = Path(wanted).expanduser()
    if as_path.is_dir():
        return str(as_path), as_path.name
    named = Path(cfg["MODEL_DIR"]) / wanted
    if named.is_dir():
        return str(named), wanted
    return wanted, wanted


def load_model(cfg):
    """One model per worker process and configuration, kept between jobs (loading takes a second or two)."""
    where, name = model_location(cfg)
    threads = cfg["TRANSCRIBE_THREADS"] or 0
    key = (where, threads)
    with _models_lock:
        if key not in _models:
            try:
                from faster_whisper import WhisperModel

                _models[key] = WhisperModel(where, device="cpu", compute_type="int8", cpu_threads=threads,
                                            local_files_only=not Path(where).is_dir() and _offline())
            except Exception as e:  # a missing folder, a hub out of reach, a damaged file: all mean "not here"
                raise ModelUnavailable(f"The speech model {name!r} could not be loaded ({type(e).__name__}: "
                                       f"{str(e)[:200]}). Install it with `make install` or set "
                                       f"PARLEY_TRANSCRIBE_MODEL, then transcribe again.") from e
        return _models[key], name


def _offline() -> bool:
    # Without network a hub name would hang on retries; HF_HUB_OFFLINE=1 is how an operator says so.
    return os.environ.get("HF_HUB_OFFLINE", "") in ("1", "true", "yes")


def _engine(model, cfg):
    """Batches of voiced stretches (faster-whisper's BatchedInferencePipeline) keep both cores busy on short
    utterances, where one-at-a-time decoding leaves one idle; 0 decodes 30 s windows one after another."""
    if cfg["TRANSCRIBE_BATCH"] > 0:
        from faster_whisper import BatchedInferencePipeline

        return BatchedInferencePipeline(model)
    return model


def _options(cfg) -> dict:
    options = {"beam_size": max(1, cfg["TRANSCRIBE_BEAM"]), "word_timestamps": True, "vad_filter": True}
    if cfg["TRANSCRIBE_BATCH"] > 0:
        options["batch_size"] = cfg["TRANSCRIBE_BATCH"]
    else:
        options["condition_on_previous_text"] = False  # one misheard window must not steer the next ones
    return options


def run(ctx: JobContext) -> None:
    cfg = current_app.config
    video = ctx.video()
    ctx.progress(0.0, "Reading the sound")
    src = _materialize(ctx)
    info = probe.probe_header(src, cwd=ctx.out, limits=ctx.limits, should_stop=ctx.should_stop)
    if not info.has_audio:
        transcripts.finish(ctx.lease, ctx.video_id, segments=[], language=None, model="")
        return
    pcm = ctx.out / "speech.f32"
    ctx.run(commands.speech_pcm(info, src, pcm.name, ctx.limits.max_pixels), stage="Reading the sound",
            media_seconds=video.source_duration or video.duration or info.duration or None, span=DECODE_SPAN)
    audio = np.fromfile(pcm, dtype=np.float32)
    pcm.unlink()
    length = len(audio) / commands.SPEECH_SAMPLE_RATE
    try:
        model, name = load_model(cfg)
    except ModelUnavailable as e:
        log.warning("video %s: %s", ctx.video_id, e)
        transcripts.unavailable(ctx.lease, ctx.video_id, str(e))
        return
    ctx.check()
    started = time.monotonic()
    pieces, found = _engine(model, cfg).transcribe(audio, **_options(cfg))
    segments = []
    for piece in pieces:  # a generator: the model works as it is iterated
        ctx.check()
        words = [(w.start, w.end, w.word.strip()) for w in (piece.words or []) if w.word.strip()]
        if piece.text.strip():
            segments.append(transcripts.Words(start=piece.start, end=piece.end, text=piece.text, words=words))
        done = DECODE_SPAN[1] + (1 - DECODE_SPAN[1]) * min(1.0, piece.end / length if length else 1.0)
        ctx.progress(done, "Transcribing", force=False)
    log.info("transcribed video %s: %.1f s of sound in %.1f s with %s (%s), %d segments", ctx.video_id, length,
             time.monotonic() - started, name, found.language, len(segments))
    transcripts.finish(ctx.lease, ctx.video_id, segments=segments, language=found.language, model=name)
