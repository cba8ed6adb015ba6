"""INGEST (short queue, seconds): checksum, probe, instant original by stream copy, poster; then queue TRANSCODE."""
from __future__ import annotations

from media_worker import commands, probe
from media_worker.context import JobContext, output_prefix, sha1_file
from media_worker.sandbox import MediaError
from webapp.adapters.storage import storage
from webapp.services import jobs, processing

ORIGINAL_MIME = {"mp4": "video/mp4", "webm": "video/webm"}


def fetch_source(ctx: JobContext, *, known_sha1: str | None = None):
    """Download the stored source into the scratch dir; return (path, sha1, MediaInfo)."""
    video = ctx.video()
    src = ctx.scratch / "source"
    try:
        storage().get_file(video.source_key, src)
    except FileNotFoundError:
        raise MediaError("The uploaded file is missing from storage; please upload it again.",
                         permanent=True) from None
    sha1 = known_sha1 or sha1_file(src)  # a source key is written once, so ingest's checksum stays true
    ctx.check()
    info = probe.probe(src, cwd=ctx.out, limits=ctx.limits, should_stop=ctx.should_stop)
    return src, sha1, info


def run(ctx: JobContext) -> None:
    ctx.progress(0.0, "Reading the upload")
    src, sha1, info = fetch_source(ctx)
    processing.record_source(ctx.lease, ctx.video_id, sha1, processing.Probed(
        duration=info.duration, width=info.display_width or None, height=info.display_height or None,
        has_video=info.has_video, has_audio=info.has_audio))
    prefix = output_prefix(ctx.video_id, sha1)
    store = storage()

    original_key = original_mime = None
    container = info.instant_container
    if container:
        ctx.progress(0.5, "Preparing instant playback")
        name = f"original.{container}"
        ctx.run(commands.remux(info, src, name, ctx.limits.max_pixels), stage="Preparing instant playback",
                media_seconds=info.duration)
        if _written(ctx.out / name):  # else the transcode alone makes it playable
            original_key, original_mime = prefix + name, ORIGINAL_MIME[container]

    ctx.progress(0.7, "Making a poster")
    # Decoding one picture here also proves the file decodes at all, before any long job is queued.
    make_poster(ctx, info, src)
    poster_key = prefix + "poster.jpg"

    ctx.check()
    store.put_file(poster_key, ctx.out / "poster.jpg")
    if original_key:
        store.put_file(original_key, ctx.out / original_key.rsplit("/", 1)[1])
    nxt = processing.finish_ingest(ctx.lease, ctx.video_id, original_key=original_key, original_mime=original_mime,
                                   poster_key=poster_key)
    jobs.send(nxt)


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
