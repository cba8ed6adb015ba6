"""TRANSCODE (long queue, minutes): one encoding pass for MP4 + HLS ladder + storyboard, then upload and flip."""
from __future__ import annotations

import logging
import os

from media_worker import commands, profiles
from media_worker.context import JobContext, output_prefix
from media_worker.ingest import fetch_source
from media_worker.sandbox import MediaError
from webapp.adapters.storage import storage
from webapp.services import processing

log = logging.getLogger(__name__)

ENCODE_SPAN = (0.02, 0.85)
UPLOAD_SPAN = (0.90, 0.99)


def run(ctx: JobContext) -> None:
    ctx.progress(0.0, "Reading the upload")
    src, sha1, info = fetch_source(ctx, known_sha1=ctx.video().source_sha1)
    plan = commands.plan_for(info)
    argv = commands.transcode(info, src, plan, ctx.limits.max_pixels, ctx.limits.threads)
    ctx.run(argv, stage="Transcoding", media_seconds=info.duration, span=ENCODE_SPAN)
    out = ctx.out
    mp4 = out / plan.mp4
    if not mp4.is_file() or mp4.stat().st_size == 0:
        raise MediaError("No frame of this file could be decoded: it is corrupt or uses an encoding we do not "
                         "support.", permanent=True)

    ctx.progress(0.86, "Packaging for streaming")
    ctx.run(commands.segment_copy(plan, ctx.limits.max_pixels), stage="Packaging for streaming")
    (out / plan.master).write_text(commands.master_playlist(plan, info.has_audio))
    storyboard = make_storyboard(ctx, plan, info.duration)

    prefix = output_prefix(ctx.video_id, sha1)
    upload_all(ctx, prefix, last=[plan.master])
    processing.finish_transcode(
        ctx.lease, ctx.video_id, mp4_key=prefix + plan.mp4, hls_key=prefix + plan.master,
        storyboard_key=prefix + plan.storyboard_vtt if storyboard else None, poster_key=None,
        preset_version=profiles.PRESET_VERSION)


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
