"""Wiki operations (spaces, pages, revisions, merges, links, export) shared by the views and the API."""
from __future__ import annotations

from webapp import errors


class WikiError(errors.Invalid):
    """A wiki request that cannot be honoured; the message is shown to the user."""


class NotFound(errors.NotFound, WikiError):
    pass


class NotAllowed(errors.Forbidden, WikiError):
    """The principal may read this space but not do this in it."""


class TitleTaken(errors.Conflict, WikiError):
    """Another live page of the space has this title (or a space this short name)."""


class EditConflict(errors.Conflict, WikiError):
    """Someone else published meanwhile and the three-way merge could not reconcile both texts."""

    def __init__(self, *, current_revision: int, current_title: str, current_body: str, your_title: str,
                 your_body: str, base_revision: int, merged_with_markers: str):
        super().__init__("Someone else published this page while you were editing, and the changes overlap.")
        self.current_revision = current_revision
        self.current_title = current_title
        self.current_body = current_body
        self.your_title = your_title
        self.your_body = your_body
        self.base_revision = base_revision
        self.merged_with_markers = merged_with_markers

    def as_json(self) -> dict:
        return {
            "error": str(self),
            "conflict": True,
            "current_revision": self.current_revision,
            "current_title": self.current_title,
            "current_body": self.current_body,
            "your_title": self.your_title,
            "your_body": self.your_body,
            "base_revision": self.base_revision,
            "merged_with_markers": self.merged_with_markers,
        }
