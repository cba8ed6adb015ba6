"""Screens: queued once a video plays, filled by the worker (fenced by its lease), read in the viewer's time.

Like a transcript, reading the screens never holds a video back: the SCREENS job runs after the playable
rendition, and when it cannot run (no OCR engine, a failure) the video stays ready and the scan says why. Times
are seconds of the untrimmed source; `view()` shifts them to what plays and leaves out what a trim cut.
"""
from __future__ import annotations

from dataclasses import dataclass

from webapp import storage_keys
from webapp.extensions import db
from webapp.media_state import JobKind
from webapp.models import Job, Screen, ScreenScan, ScreenScanState, Video
from webapp.services import after_ready, chapters, jobs, outbox
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


WORK = after_ready.Work(ScreenScan, JobKind.SCREENS, "SCREENS", "has_video", "screen scan")
of, queue_if_needed, progress, unavailable = WORK.of, WORK.queue_if_needed, WORK.progress, WORK.unavailable
failed_for_good = WORK.failed_for_good


def rescan(principal, video: Video) -> Job:
    """The owner (or an admin) asks for the screens to be read again: after OCR was installed, a failure, or a
    scan that found nothing. The old screens stay until the new scan replaces them. Commits; the caller sends."""
    return WORK.again(principal, video, who="Only the video's owner or an admin can have its screens read again.",
                      off="Reading screens is turned off on this server.",
                      not_ready="Only a ready video with a picture can have its screens read.",
                      busy="The screens of this video are being read already.")


def finish(lease: Lease, video_id: str, found: list[Found]) -> None:
    """Replace the screens with what the worker found, fenced with the job's success; announced for search
    (the topic that already makes the indexer re-read the video's documents)."""
    current = WORK.leased(video_id)
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
