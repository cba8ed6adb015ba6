"""Video and job states and the transitions allowed between them, shared by web and worker."""
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


JOB_TRANSITIONS: dict[JobState, set[JobState]] = {
    JobState.QUEUED: {JobState.RUNNING, JobState.FAILED},
    JobState.RUNNING: {JobState.QUEUED, JobState.SUCCEEDED, JobState.FAILED},
    JobState.SUCCEEDED: set(),
    JobState.FAILED: {JobState.QUEUED},
}


class JobKind(StrEnum):
    INGEST = "ingest"  # probe, instant original, poster: seconds
    TRANSCODE = "transcode"  # MP4, HLS ladder, storyboard: minutes


QUEUE_FOR_KIND = {JobKind.INGEST: "short", JobKind.TRANSCODE: "long"}


class IllegalTransition(Exception):
    pass


def check_video(old: str, new: str) -> None:
    if VideoStatus(new) not in VIDEO_TRANSITIONS[VideoStatus(old)]:
        raise IllegalTransition(f"video {old} -> {new}")


def check_job(old: str, new: str) -> None:
    if JobState(new) not in JOB_TRANSITIONS[JobState(old)]:
        raise IllegalTransition(f"job {old} -> {new}")
