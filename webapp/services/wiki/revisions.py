"""Page history: list, read one revision, side-by-side word-level diff of any two, restore as a new revision."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Page, PageRevision
from webapp.models.base import MAX_ID
from webapp.services.wiki import NotFound, pages

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def history(page: Page, limit: int = 500) -> list[PageRevision]:
    return db.session.scalars(select(PageRevision).where(PageRevision.page_id == page.id)
                              .order_by(PageRevision.number.desc()).limit(limit)).all()


def get(page: Page, number: int) -> PageRevision:
    rev = db.session.scalar(select(PageRevision).where(
        PageRevision.page_id == page.id, PageRevision.number == number)) if 0 < number <= MAX_ID else None
    if rev is None:
        raise NotFound(f"Revision {number} of this page does not exist.")
    return rev


def as_json(rev: PageRevision, *, body: bool = True) -> dict:
    data = {
        "number": rev.number,
        "title": rev.title,
        "summary": rev.summary,
        "author": {"id": rev.author.id, "name": rev.author.name} if rev.author else None,
        "created_at": rev.created_at.isoformat() + "Z",
    }
    if body:
        data["body"] = rev.body
    return data


@dataclass
class DiffRow:
    kind: str  # 'equal', 'replace', 'delete', 'insert'
    left_no: int | None
    left: Markup
    right_no: int | None
    right: Markup


def _words(a: str, b: str) -> tuple[Markup, Markup]:
    ta, tb = _TOKEN.findall(a), _TOKEN.findall(b)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        old, new = escape("".join(ta[i1:i2])), escape("".join(tb[j1:j2]))
        if op == "equal":
            left.append(old)
            right.append(new)
        else:
            if old:
                left.append(Markup("<del>") + old + Markup("</del>"))
            if new:
                right.append(Markup("<ins>") + new + Markup("</ins>"))
    return Markup("").join(left), Markup("").join(right)


def diff(old: str, new: str) -> list[DiffRow]:
    """Rows for a side-by-side view; changed lines carry word-level <del>/<ins> marks (all text escaped)."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            rows += [DiffRow("equal", i1 + k + 1, escape(a[i1 + k]), j1 + k + 1, escape(b[j1 + k]))
                     for k in range(i2 - i1)]
        elif op == "replace":
            for k in range(max(i2 - i1, j2 - j1)):
                la = a[i1 + k] if i1 + k < i2 else None
                lb = b[j1 + k] if j1 + k < j2 else None
                if la is not None and lb is not None:
                    left, right = _words(la, lb)
                    rows.append(DiffRow("replace", i1 + k + 1, left, j1 + k + 1, right))
                elif la is not None:
                    rows.append(DiffRow("delete", i1 + k + 1, Markup("<del>") + escape(la) + Markup("</del>"),
                                        None, Markup("")))
                else:
                    rows.append(DiffRow("insert", None, Markup(""), j1 + k + 1,
                                        Markup("<ins>") + escape(lb) + Markup("</ins>")))
        elif op == "delete":
            rows += [DiffRow("delete", i1 + k + 1, Markup("<del>") + escape(a[i1 + k]) + Markup("</del>"), None,
                             Markup("")) for k in range(i2 - i1)]
        else:
            rows += [DiffRow("insert", None, Markup(""), j1 + k + 1,
                             Markup("<ins>") + escape(b[j1 + k]) + Markup("</ins>")) for k in range(j2 - j1)]
    return rows


def restore(user, page: Page, number: int):
    """Publish an old revision's title and text as a new revision (history is never rewritten)."""
    rev = get(page, number)
    return pages.publish(user, page, rev.title, rev.body, page.revision, summary=f"Restored revision {number}")
