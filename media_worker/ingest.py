"""INGEST (short queue, about a second): instant original, published at once; poster; then queue TRANSCODE.

Nothing on the way to the instant original may grow with the recording's length more than copying its bytes
does: the source is hard-linked rather than copied (local storage); a browser recording (WebM) gets a new header
with Duration and Cues in front of its own clusters (webm_original/), without ffprobe or ffmpeg; any other
file has only its header probed before a stream copy (whose output then gives the duration the packets would);
the original's key is named by the stored source's version (a stat), so the checksum that names the other
outputs is computed in a low-priority thread meanwhile and waited for only after the original is published;
and the poster comes after that.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import replace

from media_worker import commands, probe, webm_original
from media_worker.context import JobContext, output_prefix, sha1_file
from media_worker.media_info import MediaInfo
from media_worker.sandbox import MediaError
from webapp import storage_keys
from webapp.adapters.storage import storage
from webapp.services import jobs, processing

log = logging.getLogger(__name__)

ORIGINAL_MIME = {"mp4": "video/mp4", "webm": "video/webm"}
# For the remux's time budget only, when the header has no duration: a generous bound (an 8 kB/s stream).
BYTES_PER_SECOND_FLOOR = 8_000


def fetch_source(ctx: JobContext, *, known_sha1: str | None = None):
    """Bring the stored source into the scratch dir and probe it fully; return (path, sha1, MediaInfo)."""
    src = _materialize(ctx)
    sha1 = known_sha1 or sha1_file(src)  # a source key is written once, so ingest's checksum stays true
    ctx.check()
    info = probe.probe(src, cwd=ctx.out, limits=ctx.limits, should_stop=ctx.should_stop)
    return src, sha1, info


def _materialize(ctx: JobContext):
    src = ctx.scratch / "source"
    try:
        storage().materialize(ctx.video().source_key, src)
    except FileNotFoundError:
        raise MediaError("The uploaded file is missing from storage; please upload it again.",
                         permanent=True) from None
    return src


class _Checksum(threading.Thread):
    """sha1 of the source beside the original's making (hashlib releases the GIL): it names the poster and the
    renditions, not the original, so it runs at the lowest CPU priority and takes what the original leaves."""

    def __init__(self, path):
        super().__init__(daemon=True, name="ingest-sha1")
        self.path, self.value, self.error = path, None, None

    def run(self) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # Linux: this thread only
        except (AttributeError, OSError):
            pass
        try:
            self.value = sha1_file(self.path)
        except OSError as e:  # reported by result(), in the job's own thread
            self.error = e

    def result(self) -> str:
        self.join()
        if self.error is not None:
            raise self.error
        return self.value


class _Steps:
    """Seconds per step, logged once per ingest: where the wait between upload and playback goes."""

    def __init__(self):
        self.last, self.times = time.perf_counter(), []

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.times.append(f"{name} {now - self.last:.3f}")
        self.last = now


def run(ctx: JobContext) -> None:
    step = _Steps()
    ctx.progress(0.0, "Reading the upload")
    src = _materialize(ctx)
    checksum = _Checksum(src)
    checksum.start()
    step("fetch")
    ctx.check()
    recording = webm_original.scan(src, ctx.limits.max_pixels)  # a browser recording: no ffmpeg before playback
    step("scan")
    info = None
    if recording is not None:
        ctx.progress(0.3, "Preparing instant playback")
        original_name = "original.webm"
        webm_original.write(recording, src, ctx.out / original_name)
        probed = _probed_recording(recording)
        step("rewrite")
    else:
        original_name, info = _original_by_ffmpeg(ctx, src, step)
        probed = processing.Probed(duration=info.duration, width=info.display_width or None,
                                   height=info.display_height or None, has_video=info.has_video,
                                   has_audio=info.has_audio)

    ctx.check()
    store = storage()
    original_key = original_mime = None
    if original_name:
        # Named by the source's version, not its checksum, so the whole-file hash is off the critical path.
        original_key = storage_keys.instant_run(ctx.video_id, store.version(ctx.video().source_key)) + original_name
        original_mime = ORIGINAL_MIME[original_name.rpartition(".")[2]]
        processing.record_source(ctx.lease, ctx.video_id, None, probed)
        store.put_file(original_key, ctx.out / original_name)
        processing.publish_original(ctx.lease, ctx.video_id, original_key=original_key, original_mime=original_mime)
        step("publish")
    sha1 = checksum.result()
    step("sha1-wait")
    processing.record_source(ctx.lease, ctx.video_id, sha1, probed)
    prefix = output_prefix(ctx.video_id, sha1)

    ctx.progress(0.8, "Making a poster")
    # Decoding one picture here also proves the file decodes at all, before any long job is queued.
    try:
        if info is None:  # the poster's command wants ffprobe's view of the streams, now off the critical path
            info = replace(probe.probe_header(src, cwd=ctx.out, limits=ctx.limits, should_stop=ctx.should_stop),
                           duration=recording.duration)
            step("probe")
        make_poster(ctx, info, src)
    except MediaError:
        if original_key:
            processing.withdraw_original(ctx.lease, ctx.video_id)
        raise
    poster_key = prefix + "poster.jpg"
    store.put_file(poster_key, ctx.out / "poster.jpg")
    step("poster")
    nxt = processing.finish_ingest(ctx.lease, ctx.video_id, original_key=original_key, original_mime=original_mime,
                                   poster_key=poster_key)
    step("flip")
    jobs.send(nxt)
    step("send")
    log.info("ingest of video %s (%d bytes): %s s", ctx.video_id, src.stat().st_size, ", ".join(step.times))


def _probed_recording(rec: webm_original.Recording) -> processing.Probed:
    picture = rec.video
    return processing.Probed(duration=rec.duration, width=picture.display_width if picture else None,
                             height=picture.display_height if picture else None, has_video=picture is not None,
                             has_audio=rec.audio is not None)


def _original_by_ffmpeg(ctx: JobContext, src, step) -> tuple[str | None, MediaInfo]:
    """Any other file: the header probed, a stream copy where one plays, else the packets counted."""
    info = probe.probe_header(src, cwd=ctx.out, limits=ctx.limits, should_stop=ctx.should_stop)
    step("probe")
    original_name = None
    if info.instant_container:
        ctx.progress(0.3, "Preparing instant playback")
        original_name, info = instant_original(ctx, info, src)
        step("remux")
    if original_name is None:  # nothing to copy, or the copy has no duration: the packets must tell
        info = probe.probe(src, cwd=ctx.out, limits=ctx.limits, should_stop=ctx.should_stop)
        step("full-probe")
    return original_name, info


def instant_original(ctx: JobContext, info: MediaInfo, src) -> tuple[str | None, MediaInfo]:
    """Remux into original.<container>; return its name (None if it came out empty or without a duration) and
    `info` with the remuxed file's duration, which the muxer computed from the packets it copied."""
    name = f"original.{info.instant_container}"
    budget = info.duration or src.stat().st_size / BYTES_PER_SECOND_FLOOR
    out = ctx.out / name
    try:
        ctx.run(commands.remux(info, src, name, ctx.limits.max_pixels), stage="Preparing instant playback",
                media_seconds=budget)
    except MediaError:  # a damaged file: the full probe that follows says what is wrong in words
        out.unlink(missing_ok=True)
        return None, info
    if not _written(out):
        return None, info  # else the transcode alone makes it playable
    try:
        remuxed = probe.probe_header(out, cwd=ctx.out, limits=ctx.limits, should_stop=ctx.should_stop)
    except MediaError:
        remuxed = None
    if remuxed is None or remuxed.duration <= 0:
        out.unlink()
        return None, info
    # A container header may claim more than its packets hold (truncated MP4s); the remux wrote only what it
    # read, so its duration is the packets' span.
    return name, replace(info, duration=remuxed.duration)


def make_poster(ctx: JobContext, info, src) -> None:
    poster = ctx.out / "poster.jpg"
    budget = min(info.duration, 5.0)
    if not info.has_video:
        ctx.run(commands.waveform(info, src, poster.name, ctx.limits.max_pixels), stage="Making a poster",
                media_seconds=budget)
    else:
        ctx.run(commands.poster(info, src, poster.name, ctx.limits.max_pixels), stage="Making a poster",
                media_seconds=budget)
        if not _written(poster):
            # The picture may stop before the sound does (no frame at 1 s): the first frame will do.
            ctx.run(commands.poster(info, src, poster.name, ctx.limits.max_pixels, at=0), stage="Making a poster",
                    media_seconds=budget)
    if not _written(poster):
        raise MediaError("No frame of this file could be decoded: it is corrupt or uses an encoding we do not "
                         "support.", permanent=True)


def _written(path) -> bool:
    return path.is_file() and path.stat().st_size > 0
