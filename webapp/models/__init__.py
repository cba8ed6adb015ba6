"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""
from webapp.models.jobs import Job, PeriodicRun, TaskRun, WorkerBeat  # noqa: F401
from webapp.models.outbox import OutboxDelivery, OutboxEvent
from webapp.models.screens import Chapter, Screen, ScreenScan, ScreenScanState
from webapp.models.transcripts import Transcript, TranscriptRevision, TranscriptSegment, TranscriptState
from webapp.models.users import ApiToken, Invite, User
from webapp.models.videos import Upload, Video
from webapp.models.wiki import Attachment, Draft, EditPresence, Page, PageLink, PageRevision, PageSlug, Space, Watch  # noqa: F401

__all__ = ["ApiToken", "Chapter", "Invite", "Job", "OutboxDelivery", "OutboxEvent", "Screen", "ScreenScan",
           "ScreenScanState", "Transcript", "TranscriptRevision", "TranscriptSegment", "TranscriptState", "Upload",
           "User", "Video"]
