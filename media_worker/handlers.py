"""The worker's table of contents: three lists of background work.

1. Media handlers (HANDLERS below): job kind -> handler(JobContext), under the job contract (a job row with
   a lease, fenced writes, capped attempts; runner.py). Add one: a JobKind and its queue in
   webapp/media_state.py, a module with `run(ctx)`, a line here.
2. Small tasks (tasks.SMALL_TASKS): name -> function(**kwargs), enqueued by name with a dedupe key through
   webapp.adapters.jobs.enqueue_task after a commit; at least once, once per key (task_runs table).
3. Periodic tasks (tasks.PERIODIC): name -> (interval, function), run from every worker's reaper loop and
   claimed per tick in the periodic_runs table, so each tick runs once across all workers: reap leases,
   expire uploads, purge the wiki trash, deliver and prune the outbox, prune the SQLite broker.
Each worker also writes its pulse (pulse.py: held/running messages; a wedged worker exits) and sweeps the
scratch folders of attempts no longer live.

Job flow
    upload done -> videos.accept_source stores `sources/<video>/original`, creates an INGEST job row and sends
    its id -> a worker on the `short` queue claims it with a lease (runner.run) -> ingest.run: instant
    original (a WebM's new header over its clusters, else a stream copy; published at once; sha1 beside it), poster -> in ONE fenced transaction:
    video row updated, INGEST succeeded,
    TRANSCODE job created -> its id is sent to the `long` queue after the commit -> transcode.run: one ffmpeg
    pass (split -> every rung + storyboard), top HLS rung cut from the MP4 by stream copy, master playlist
    and WebVTT storyboard written -> everything uploaded -> ONE fenced transaction: video ready + job
    succeeded, and a TRANSCRIBE job queued in that transaction when the video has sound -> transcribe.run
    (long queue): the sound decoded by ffmpeg to 16 kHz PCM, faster-whisper's segments stored with their words;
    it never fails the video (no model: the transcript says why). A heartbeat renews the lease meanwhile; a worker that loses it kills ffmpeg and writes
    nothing; SIGTERM gives the job back at once; the reaper (tasks.PERIODIC "jobs.reap") requeues expired
    leases and resends queued jobs unclaimed for twice the lease. Every video status change goes through
    media_state.advance (videos.set_status), which announces video.ready / video.failed in the outbox.
    Failures: bad input fails permanently with a readable reason; other errors retry up to JOB_MAX_ATTEMPTS;
    lost leases (a dead or wedged worker) are counted apart, up to JOB_MAX_LOST_LEASES.

Storage keys (everything served lives under `renditions/<video>/`, which the app serves at /v/<id>/media/)
    sources/<video>/original                            the upload, never served
    renditions/<video>/instant-<source version>/
        original.mp4 | original.webm                    instant original (header rewrite or stream copy), ingest
    renditions/<video>/<sha1[:12]>-<PRESET_VERSION>/
        poster.jpg                                      a frame near 1 s, or the waveform of audio-only files
        video.mp4                                       H.264/AAC progressive MP4 (+faststart) = top rung
        master.m3u8, <rung>.m3u8, <rung>_NNNN.ts        HLS ladder (audio.m3u8 for audio-only files)
        storyboard.jpg, storyboard.vtt                  sprite sheet and its WebVTT thumbnails track
    Playlists and the VTT name their siblings by relative URL. The same source and preset always give the
    same keys, so a retry overwrites rather than duplicates.

Sandbox rules (sandbox.py, commands.input_args)
    every input: -protocol_whitelist file,pipe, -format_whitelist of plain containers (no hls/concat/image2),
    -max_pixels; -nostdin; outputs with -map_metadata -1; a wall-clock timeout scaled by duration; rlimits on
    CPU, address space and file size; cwd = the attempt's scratch dir, removed afterwards; no inherited env;
    PR_SET_PDEATHSIG so ffmpeg dies with the worker process that started it.
"""
from __future__ import annotations

from collections.abc import Callable

from media_worker import ingest, screens, transcode, transcribe
from media_worker.context import JobContext
from webapp.media_state import JobKind

HANDLERS: dict[str, Callable[[JobContext], None]] = {
    JobKind.INGEST: ingest.run,
    JobKind.TRANSCODE: transcode.run,
    JobKind.TRANSCRIBE: transcribe.run,
    JobKind.SCREENS: screens.run,
}
