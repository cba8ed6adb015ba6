"""Query words beside the words to look for: `from:alice`, `in:engineering`, `before:2026-01-01`, `after:`.

Each resolves against what the viewer may see (a space they may not open reads as one that does not exist), and a
value it cannot use is an Invalid with a sentence saying why, never an error page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select

from webapp import policy
from webapp.errors import Invalid
from webapp.extensions import db
from webapp.models import Space, User

_WORD = re.compile(r"(?<!\S)(from|in|before|after):(\S*)", re.I)


@dataclass
class Filters:
    authors: set[str] | None = None  # user ids as the index holds them (None: anyone)
    spaces: set[str] | None = None  # space slugs (None: any); set, the search is over pages only
    after: datetime | None = None  # updated on or after
    before: datetime | None = None  # updated before
    words: list[str] = field(default_factory=list)  # the query words as typed, to show them back

    @property
    def any(self) -> bool:
        return bool(self.authors is not None or self.spaces is not None or self.after or self.before)


def split(viewer, text: str) -> tuple[str, Filters]:
    """(the text without these words, what they ask for)."""
    flt = Filters()
    for m in _WORD.finditer(text):
        name, value = m.group(1).lower(), m.group(2)
        flt.words.append(m.group(0))
        if not value:
            raise Invalid(f"`{name}:` needs a value, e.g. {_EXAMPLE[name]}.")
        if name == "from":
            ids = _people(value)
            flt.authors = ids if flt.authors is None else flt.authors & ids
        elif name == "in":
            slugs = _spaces(viewer, value)
            flt.spaces = slugs if flt.spaces is None else flt.spaces & slugs
        else:
            day = _day(name, value)
            if name == "after":
                flt.after = max(flt.after or day, day)
            else:
                flt.before = min(flt.before or day, day)
    if flt.after and flt.before and flt.after >= flt.before:
        raise Invalid("`after:` is not before `before:`: nothing can be both.")
    return " ".join(_WORD.sub(" ", text).split()), flt


_EXAMPLE = {"from": "from:alice", "in": "in:engineering", "before": "before:2026-01-01",
            "after": "after:2026-01-01"}


def _people(value: str) -> set[str]:
    """Users whose display name, its first word, or email's local part is the value (any case): their ids."""
    v = value.lower()
    like = v.replace("\\", "").replace("%", "").replace("_", "\\_")
    rows = db.session.scalars(select(User.id).where(or_(
        func.lower(User.display_name) == v, func.lower(User.display_name).like(like + " %", escape="\\"),
        func.lower(User.email).like(like + "@%", escape="\\"))))
    ids = {str(i) for i in rows}
    if not ids:
        raise Invalid(f"There is nobody called {value!r} to search from: use a name or the part of an email "
                      "before the @.")
    return ids


def _spaces(viewer, value: str) -> set[str]:
    v = value.lower()
    rows = db.session.scalars(select(Space.slug).where(
        or_(func.lower(Space.slug) == v, func.lower(Space.name) == v), policy.visible(viewer, Space)))
    slugs = set(rows)
    if not slugs:
        raise Invalid(f"There is no space {value!r} to search in.")
    return slugs


def _day(name: str, value: str) -> datetime:
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"`{name}:{value}` is not a date: write it as {_EXAMPLE[name]}.") from None
    # before:D means before that day starts; after:D means from the day after it (D itself is neither).
    return datetime.combine(d + timedelta(days=1) if name == "after" else d, time())
