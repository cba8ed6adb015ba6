"""Video and job states, shared by web and worker; `advance` is the only writer of a video's status.

Job states change only through the conditional updates of services/jobs.py, whose WHERE clauses name the
state they leave, so a job cannot take a transition its update does not spell out.
"""
from enum import StrEnum


class VideoStatus(StrEnum):
    UPLOADING = "uploading"
    QUEUED = "queued"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


VIDEO_TRANSITIONS: dict[VideoStatus, set[VideoStatus]] = {
    VideoStatus.UPLOADING: {VideoStatus.QUEUED, VideoStatus.FAILED},
    VideoStatus.QUEUED: {VideoStatus.PROCESSING, VideoStatus.FAILED},
    VideoStatus.PROCESSING: {VideoStatus.PROCESSING, VideoStatus.READY, VideoStatus.FAILED, VideoStatus.QUEUED},
    VideoStatus.READY: {VideoStatus.QUEUED},  # reprocessing (a new preset version)
    VideoStatus.FAILED: {VideoStatus.QUEUED},  # retry by owner or admin
}


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobKind(StrEnum):
    INGEST = "ingest"  # probe, instant original, poster: seconds
    TRANSCODE = "transcode"  # MP4, HLS ladder, storyboard: minutes
    TRANSCRIBE = "transcribe"  # speech to timed text, after the video plays: minutes; never fails the video
    SCREENS = "screens"  # scene changes, text on screen (OCR), filmstrip, chapters: after it plays; never fails it


QUEUE_FOR_KIND = {JobKind.INGEST: "short", JobKind.TRANSCODE: "long", JobKind.TRANSCRIBE: "long",
                  JobKind.SCREENS: "long"}


class IllegalTransition(Exception):
    pass


def advance(video, new: str) -> None:
    """The one way a video's status changes: refuse a transition the table above does not allow."""
    old = video.status
    if VideoStatus(new) not in VIDEO_TRANSITIONS[VideoStatus(old)]:
        raise IllegalTransition(f"video {video.id}: {old} -> {new}")
    video.status = VideoStatus(new)
