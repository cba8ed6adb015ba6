"""TRANSCODE (long queue, minutes): one encoding pass for MP4 + HLS ladder + storyboard, then upload and flip.

A trimmed video encodes only its kept part, from the untouched source, under keys that name the trim; the
waveform (peaks of the untrimmed audio) is made once per source, beside the untrimmed renditions.
"""
from __future__ import annotations

import array
import json
import logging
import os
import sys
from dataclasses import dataclass, replace

from sqlalchemy import select

from media_worker import commands, profiles
from media_worker.context import JobContext, output_prefix
from media_worker.ingest import fetch_source
from media_worker.sandbox import MediaError
from webapp import storage_keys
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import Video
from webapp.services import jobs, processing

log = logging.getLogger(__name__)

ENCODE_SPAN = (0.02, 0.85)
UPLOAD_SPAN = (0.90, 0.99)


def run(ctx: JobContext) -> None:
    ctx.progress(0.0, "Reading the upload")
    video = ctx.video()
    src, sha1, info = fetch_source(ctx, known_sha1=video.source_sha1)
    trim = kept_part(video.trim_start, video.trim_end, info.duration)
    length = trim[1] - trim[0] if trim else info.duration
    plan = commands.plan_for(info, length)
    base = output_prefix(ctx.video_id, sha1)
    prefix = trimmed_prefix(base, trim)
    waveform_key = make_waveform(ctx, info, src, base)
    # Untrimmed, the poster is ingest's (under the untrimmed prefix); a trim gets one of its own below.
    result = Result(trim, length, info.duration, waveform_key, None if trim else base + "poster.jpg")
    if video.preset_version == profiles.PRESET_VERSION and video.mp4_key == prefix + plan.mp4 \
            and video.hls_key == prefix + plan.master:
        # Undone back to what is already built: flip without encoding anything again.
        return finish(ctx, result, mp4_key=video.mp4_key, hls_key=video.hls_key,
                      storyboard_key=video.storyboard_key)
    argv = commands.transcode(info, src, plan, ctx.limits.max_pixels, ctx.limits.threads, trim=trim)
    ctx.run(argv, stage="Transcoding", media_seconds=length, span=ENCODE_SPAN)
    out = ctx.out
    mp4 = out / plan.mp4
    if not mp4.is_file() or mp4.stat().st_size == 0:
        raise MediaError("No frame of this file could be decoded: it is corrupt or uses an encoding we do not "
                         "support.", permanent=True)

    ctx.progress(0.86, "Packaging for streaming")
    ctx.run(commands.segment_copy(plan, ctx.limits.max_pixels), stage="Packaging for streaming")
    (out / plan.master).write_text(commands.master_playlist(plan, info.has_audio))
    storyboard = make_storyboard(ctx, plan, length)
    if trim and info.has_video and make_trimmed_poster(ctx, info, plan, length):
        result = replace(result, poster_key=prefix + "poster.jpg")

    upload_all(ctx, prefix, last=[plan.master])
    finish(ctx, result, mp4_key=prefix + plan.mp4, hls_key=prefix + plan.master,
           storyboard_key=prefix + plan.storyboard_vtt if storyboard else None)


@dataclass(frozen=True)
class Result:
    """What this attempt made besides the renditions' keys: copied onto the video in the finishing transaction."""
    trim: tuple[float, float] | None
    length: float
    source_duration: float
    waveform_key: str | None
    poster_key: str | None = None  # None: keep the video's poster


def make_trimmed_poster(ctx: JobContext, info, plan: commands.TranscodePlan, length: float) -> bool:
    """A poster from the kept part (the ingest's may show what was cut), taken from the trimmed MP4 just made:
    its picture is stream 0 and already upright at display size. Without one the old poster stays."""
    picture = replace(info, video_index=0, duration=length)
    try:
        ctx.run(commands.poster(picture, plan.mp4, "poster.jpg", ctx.limits.max_pixels), stage="Making a poster",
                media_seconds=min(length, 5.0))
    except MediaError as e:
        log.info("no trimmed poster for video %s: %s", ctx.video_id, e)
    made = ctx.out / "poster.jpg"
    return made.is_file() and made.stat().st_size > 0


def kept_part(start: float | None, end: float | None, duration: float) -> tuple[float, float] | None:
    """The trim to encode, within what the source really holds; None for the whole source."""
    if start is None or end is None:
        return None
    end = min(end, duration)
    if start <= 0 and end >= duration:
        return None
    return (start, end) if end > start else None


def trimmed_prefix(base: str, trim: tuple[float, float] | None) -> str:
    return base if trim is None else storage_keys.trimmed_run(base, *trim)


def finish(ctx: JobContext, result: Result, *, mp4_key: str, hls_key: str, storyboard_key: str | None) -> None:
    """Flip the video to these renditions, unless its owner changed the trim while they were made."""
    video = ctx.video()
    # Locked (on PostgreSQL) so a trim saved right now waits for this commit and then queues its own rebuild.
    # (The lock is taken apart from the row's load: FOR UPDATE cannot apply to the owner's outer join.)
    db.session.execute(select(Video.id).where(Video.id == video.id).with_for_update())
    db.session.refresh(video)
    wanted = kept_part(video.trim_start, video.trim_end, result.source_duration)
    if wanted != result.trim:
        log.info("video %s: trim changed to %s while %s was built; leaving it to the next job",
                 ctx.video_id, wanted, result.trim)
        video.waveform_key = result.waveform_key or video.waveform_key
        jobs.finish(ctx.lease)
        db.session.commit()
        return
    video.renditions_trim_start, video.renditions_trim_end = result.trim if result.trim else (None, None)
    video.source_duration = result.source_duration
    video.duration = result.length
    video.waveform_key = result.waveform_key
    nxt = processing.finish_transcode(
        ctx.lease, ctx.video_id, mp4_key=mp4_key, hls_key=hls_key, storyboard_key=storyboard_key,
        poster_key=result.poster_key if result.poster_key and storage().exists(result.poster_key) else None,
        preset_version=profiles.PRESET_VERSION)
    for job in nxt:
        jobs.send(job)


def make_waveform(ctx: JobContext, info, src, base: str) -> str | None:
    """Peaks of the untrimmed audio as JSON under the source's prefix; None without audio (the editor says so).
    Made once per source: a later trim finds it in place."""
    if not info.has_audio:
        return None
    key = base + "waveform.json"
    if ctx.video().waveform_key == key:
        return key
    pcm = ctx.out / "waveform.pcm"
    try:
        ctx.run(commands.audio_pcm(info, src, pcm.name, ctx.limits.max_pixels), stage="Drawing the waveform",
                media_seconds=info.duration)
        data = peaks(pcm, info.duration)
    except MediaError as e:  # the audio does not decode: the video still plays, the editor has no waveform
        log.info("no waveform for video %s: %s", ctx.video_id, e)
        return None
    finally:
        pcm.unlink(missing_ok=True)
    path = ctx.scratch / "waveform.json"
    path.write_text(json.dumps(data, separators=(",", ":")))
    storage().put_file(key, path)
    return key


def peaks(pcm_path, duration: float) -> dict:
    """Max-abs amplitude (0..1 of full scale) per window of the mono 16-bit PCM, about PEAKS_PER_SECOND a
    second and at most MAX_PEAKS in all. Reads window by window, so a long recording costs little memory."""
    sample_rate = profiles.PEAKS_SAMPLE_RATE
    per_second = min(profiles.PEAKS_PER_SECOND, profiles.MAX_PEAKS / max(duration, 0.001))
    window = max(1, round(sample_rate / per_second))
    values, samples = [], 0
    with open(pcm_path, "rb") as f:
        while chunk := f.read(window * 2):
            block = array.array("h")
            block.frombytes(chunk[: len(chunk) // 2 * 2])
            if sys.byteorder == "big":
                block.byteswap()  # the PCM is little-endian
            if not block:
                break
            samples += len(block)
            values.append(round(max(max(block), -min(block)) / 32768, 3))
    return {"duration": round(samples / sample_rate, 3), "rate": sample_rate / window, "peaks": values[:profiles.MAX_PEAKS + 1]}


def make_storyboard(ctx: JobContext, plan: commands.TranscodePlan, duration: float):
    """Tile the thumbnails; a video too short or too broken for them simply has no storyboard."""
    thumbs = ctx.out / plan.thumbs
    if not plan.storyboard or not thumbs.is_file():
        return None
    try:
        made = int(ctx.run(commands.count_video_packets(plan.thumbs, ctx.limits.max_pixels),
                           stage="Packaging for streaming").strip().split(",")[0] or 0)
        if made == 0:
            return None
        ctx.run(commands.storyboard_sheet(plan, ctx.limits.max_pixels), stage="Packaging for streaming")
    except (MediaError, ValueError) as e:
        log.info("no storyboard for video %s: %s %s", ctx.video_id, e, getattr(e, "detail", "")[-500:])
        return None
    finally:
        thumbs.unlink()
    if not (ctx.out / plan.storyboard_image).is_file():
        return None
    (ctx.out / plan.storyboard_vtt).write_text(commands.storyboard_vtt(plan.storyboard, duration,
                                                                       plan.storyboard_image, made))
    return plan.storyboard


def upload_all(ctx: JobContext, prefix: str, last: list[str]) -> None:
    """Upload every output; the master playlist goes last so it never names a missing file."""
    names = sorted(n for n in os.listdir(ctx.out) if not n.startswith(".") and (ctx.out / n).is_file())
    names = [n for n in names if n not in last] + [n for n in last if n in names]
    store = storage()
    lo, hi = UPLOAD_SPAN
    for i, name in enumerate(names):
        ctx.progress(lo + (hi - lo) * i / max(1, len(names)), "Uploading renditions", force=False)
        store.put_file(prefix + name, ctx.out / name)
