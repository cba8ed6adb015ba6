"""Job kind -> handler: the worker's table of contents.

Job flow
    upload done -> videos.accept_source stores `sources/<video>/original`, creates an INGEST job row and sends
    its id -> a worker on the `short` queue claims it with a lease (runner.run) -> ingest.run: sha1, probe,
    instant original (stream copy), poster -> in ONE fenced transaction: video row updated, INGEST succeeded,
    TRANSCODE job created -> its id is sent to the `long` queue after the commit -> transcode.run: one ffmpeg
    pass (split -> every rung + storyboard), top HLS rung cut from the MP4 by stream copy, master playlist
    and WebVTT storyboard written -> everything uploaded -> ONE fenced transaction: video ready + job
    succeeded. A heartbeat renews the lease meanwhile; a worker that loses it kills ffmpeg and writes
    nothing; SIGTERM gives the job back at once; the reaper (celery_app) requeues expired leases.
    Failures: bad input fails permanently with a readable reason; other errors retry up to the cap.

Storage keys (everything served lives under `renditions/<video>/`, which the app serves at /v/<id>/media/)
    sources/<video>/original                            the upload, never served
    renditions/<video>/<sha1[:12]>-<PRESET_VERSION>/
        original.mp4 | original.webm                    instant original (stream copy), ingest
        poster.jpg                                      a frame near 1 s, or the waveform of audio-only files
        video.mp4                                       H.264/AAC progressive MP4 (+faststart) = top rung
        master.m3u8, <rung>.m3u8, <rung>_NNNN.ts        HLS ladder (audio.m3u8 for audio-only files)
        storyboard.jpg, storyboard.vtt                  sprite sheet and its WebVTT thumbnails track
    Playlists and the VTT name their siblings by relative URL. The same source and preset always give the
    same keys, so a retry overwrites rather than duplicates.

Sandbox rules (sandbox.py, commands.input_args)
    every input: -protocol_whitelist file,pipe, -format_whitelist of plain containers (no hls/concat/image2),
    -max_pixels; -nostdin; outputs with -map_metadata -1; a wall-clock timeout scaled by duration; rlimits on
    CPU, address space and file size; cwd = the attempt's scratch dir, removed afterwards; no inherited env.
"""
from __future__ import annotations

from collections.abc import Callable

from media_worker import ingest, transcode
from media_worker.context import JobContext
from webapp.media_state import JobKind

HANDLERS: dict[str, Callable[[JobContext], None]] = {
    JobKind.INGEST: ingest.run,
    JobKind.TRANSCODE: transcode.run,
}
