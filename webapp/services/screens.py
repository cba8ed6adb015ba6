"""Screens: queued once a video plays, filled by the worker (fenced by its lease), read in the viewer's time.

Like a transcript, reading the screens never holds a video back: the SCREENS job runs after the playable
rendition, and when it cannot run (no OCR engine, a failure) the video stays ready and the scan says why. Times
are seconds of the untrimmed source; `view()` shifts them to what plays and leaves out what a trim cut.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from webapp import policy, storage_keys
from webapp.errors import Conflict, Forbidden, NotFound
from webapp.extensions import db
from webapp.media_state import JobKind, VideoStatus
from webapp.models import Job, Screen, ScreenScan, ScreenScanState, Video
from webapp.services import chapters, jobs, outbox
from webapp.services.jobs import Lease
from webapp.services.transcripts import shift


@dataclass(frozen=True)
class Found:
    """One distinct screen as the worker found it: seconds of the source, its text and the filmstrip picture."""
    start: float
    end: float
    text: str
    heading: str
    image_key: str | None


def of(video_id: str) -> ScreenScan | None:
    return db.session.get(ScreenScan, video_id)


def queue_if_needed(video: Video) -> Job | None:
    """In the caller's transaction (the playable rendition's flip): a SCREENS job when the video has a picture and
    no scan of this source yet. Returns the job, to be sent after the commit."""
    if not current_app.config["SCREENS"] or not video.has_video:
        return None
    current = of(video.id)
    if current is not None and current.source_sha1 == video.source_sha1 \
            and current.state != ScreenScanState.UNAVAILABLE:
        return None  # a trim or a retry of the same file: its screens have not changed
    return _queue(video, current)


def _queue(video: Video, current: ScreenScan | None) -> Job:
    if current is None:
        current = ScreenScan(video_id=video.id)
        db.session.add(current)
    current.state, current.progress, current.reason = ScreenScanState.QUEUED, 0, None
    current.source_sha1 = video.source_sha1
    return jobs.create(video.id, JobKind.SCREENS)


def rescan(principal, video: Video) -> Job:
    """The owner (or an admin) asks for the screens to be read again: after OCR was installed, a failure, or a
    scan that found nothing. The old screens stay until the new scan replaces them. Commits; the caller sends."""
    if not policy.can(principal, policy.MANAGE, video):
        if policy.can(principal, policy.VIEW, video):
            raise Forbidden("Only the video's owner or an admin can have its screens read again.")
        raise NotFound("No such video.")
    if not current_app.config["SCREENS"]:
        raise Conflict("Reading screens is turned off on this server.")
    if video.status != VideoStatus.READY or video.has_video is False:
        raise Conflict("Only a ready video with a picture can have its screens read.")
    current = of(video.id)
    if current is not None and current.state in (ScreenScanState.QUEUED, ScreenScanState.RUNNING):
        raise Conflict("The screens of this video are being read already.")
    job = _queue(video, current)
    db.session.commit()
    return job


def _scan(video_id: str) -> ScreenScan:
    current = of(video_id)
    if current is None:
        raise jobs.LeaseLost(f"video {video_id} has no screen scan row")
    return current


def progress(lease: Lease, video_id: str, fraction: float, stage: str) -> None:
    """Fenced: the job's progress and the scan's, in one commit (LeaseLost if no longer ours)."""
    current = _scan(video_id)
    current.state = ScreenScanState.RUNNING
    current.progress = max(current.progress or 0, int(max(0.0, min(1.0, fraction)) * 100))
    jobs.report(lease, current.progress, stage)


def finish(lease: Lease, video_id: str, found: list[Found]) -> None:
    """Replace the screens with what the worker found, fenced with the job's success; announced for search
    (the topic that already makes the indexer re-read the video's documents)."""
    current = _scan(video_id)
    current.screens.clear()
    db.session.flush()
    for i, s in enumerate(found):
        current.screens.append(Screen(video_id=video_id, position=i, start=round(s.start, 3), end=round(s.end, 3),
                                      text=s.text.strip(), heading=s.heading.strip()[:200], image_key=s.image_key))
    current.state = ScreenScanState.DONE if any(s.text.strip() for s in found) else ScreenScanState.EMPTY
    current.progress, current.reason = 100, None
    outbox.announce("video.transcribed", f"video:{video_id}", video_id=video_id)
    db.session.flush()
    chapters.propose(video_id)  # a screen change is where a chapter may start, titled by its heading
    jobs.finish(lease)
    db.session.commit()


def unavailable(lease: Lease, video_id: str, reason: str) -> None:
    """Nothing to read text with here: the job is done, the scan says why (fenced; commits)."""
    current = _scan(video_id)
    current.state, current.reason = ScreenScanState.UNAVAILABLE, reason[:2000]
    jobs.finish(lease)
    db.session.commit()


def failed_for_good(video_id: str, reason: str) -> None:
    """A SCREENS job out of attempts: the video keeps playing, its scan shows the reason (caller commits)."""
    current = of(video_id)
    if current is not None:
        current.state, current.reason = ScreenScanState.UNAVAILABLE, reason[:2000]


def media_path(video_id: str, key: str | None) -> str | None:
    """The picture's path under /v/<video>/media/ (None when it has none)."""
    prefix = storage_keys.renditions(video_id)
    return key[len(prefix):] if key and key.startswith(prefix) else None


def view(video: Video) -> dict:
    """What the filmstrip, search and the API show: the state, and the screens in the viewer's time (0 = the start
    of what plays), those wholly outside a trim left out. `number` is the screen's place in what plays."""
    current = of(video.id)
    if current is None or video.has_video is False:
        return {"state": "none", "progress": 0, "reason": None, "screens": []}
    offset, end = shift(video)
    shown = []
    for s in current.screens:
        if s.end <= offset or s.start >= end:
            continue
        shown.append({"number": len(shown), "start": round(max(0.0, s.start - offset), 3),
                      "end": round(min(end, s.end) - offset, 3), "text": s.text, "heading": s.heading,
                      "image": media_path(video.id, s.image_key)})
    return {"state": current.state, "progress": current.progress, "reason": current.reason, "screens": shown}
