"""One search over pages, videos and what was said and shown in them, as the viewer may see it: the access policy's
audiences filter the index before anything is ranked, counted, suggested or spelled, and each hit shown is
loaded and checked again from the database (hits.py), its excerpt highlighted from the database's text."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field

from webapp import policy
from webapp import text as clean
from webapp.adapters import search_index
from webapp.errors import Invalid
from webapp.services.search import query
from webapp.services.search.hits import WINDOWS, Hit, load

__all__ = ["KINDS", "WINDOWS", "Hit", "Results", "kinds_of", "parse", "run", "search"]

KINDS = ("video", "transcript", "screen", "page")
_ALIASES = {"video": "video", "videos": "video", "transcript": "transcript", "transcripts": "transcript",
            "said": "transcript", "screen": "screen", "screens": "screen", "slides": "screen", "page": "page",
            "pages": "page", "wiki": "page"}
_TYPE_WORD = re.compile(r"(?<!\S)type:(\S*)", re.I)
MAX_QUERY = 500
MAX_OFFSET = 1000  # results past this many are not paged to: a narrower search finds them sooner


@dataclass
class Results:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0  # visible matches of every page
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # {"kind": {kind: n}, "space": {slug: n}}
    next_cursor: str | None = None
    corrected: str | None = None  # the words searched instead, when those typed found nothing visible
    words: str = ""  # the words looked for (query words and type: taken out)


def kinds_of(values) -> list[str]:
    """Kind names (plural or singular) as KINDS, in order and once each; Invalid for one it does not know."""
    out: list[str] = []
    for value in values:
        kind = _ALIASES.get(value.strip().lower())
        if kind is None:
            raise Invalid(f"There is no type {value.strip()!r} to search: use video, transcript, screen or page.")
        if kind not in out:
            out.append(kind)
    return out


def parse(text: str) -> tuple[str, list[str]]:
    """(the words to look for, the kinds asked for with `type:` words). `type:video,page` asks for both."""
    text = clean.single_line(text, "The search")
    if len(text) > MAX_QUERY:
        raise Invalid(f"The search is longer than {MAX_QUERY} characters: try fewer words.")
    asked = []
    for m in _TYPE_WORD.finditer(text):
        asked += [v for v in m.group(1).split(",") if v] or [""]
    return " ".join(_TYPE_WORD.sub(" ", text).split()), kinds_of(asked)


def run(viewer, text: str, *, kinds: list[str] | None = None, limit: int = 20, cursor: str | None = None,
        facets: bool = False, exact: bool = False) -> Results:
    """The viewer's results from the cursor on (Invalid: an unknown type, a query too long, a bad cursor or query
    word). Without `exact`, words no visible document holds are replaced by the nearest ones that some do."""
    words, asked = parse(text)
    words, flt = query.split(viewer, words)
    wanted = asked or None  # None: every kind
    if kinds:
        allowed = kinds_of(kinds)
        wanted = [k for k in (wanted or allowed) if k in allowed]  # both said: only what both ask for
    if flt.spaces is not None:  # `in:` a space: its pages
        wanted = [k for k in (wanted or ["page"]) if k == "page"]
    offset = _offset(cursor, words, wanted)
    out = Results(words=words)
    if not words or wanted == []:
        return out
    audiences = policy.audiences(viewer)
    found = _find(words, audiences, wanted, flt, offset, limit, facets)
    if not exact and offset == 0 and not found.hits:
        better = search_index.correction(words, audiences=audiences)
        if better:
            found = _find(better, audiences, wanted, flt, offset, limit, facets)
            out.corrected = better if found.hits else None
            words = better if found.hits else words
    out.hits = load(viewer, found.hits, words)
    out.total, out.facets = found.total, found.facets
    if offset + limit < min(found.total, MAX_OFFSET) and len(found.hits) == limit:
        out.next_cursor = _cursor(offset + limit, words, wanted)  # a corrected search pages on as corrected
    return out


def search(viewer, text: str, *, kinds: list[str] | None = None, limit: int = 20) -> list[Hit]:
    """The best hits the viewer may see, best first."""
    return run(viewer, text, kinds=kinds, limit=limit).hits


def _find(words, audiences, wanted, flt, offset, limit, facets):
    return search_index.find(words, audiences=audiences, kinds=wanted, offset=offset, limit=limit, facets=facets,
                             authors=flt.authors, spaces=flt.spaces, after=flt.after, before=flt.before)


# A cursor is where the next page starts, tied to the search it came from (another search's cursor is refused
# rather than silently paging something else).
def _fingerprint(words: str, kinds) -> str:
    return hashlib.sha256(json.dumps([words, kinds]).encode()).hexdigest()[:12]


def _cursor(offset: int, words: str, kinds) -> str:
    raw = json.dumps({"o": offset, "f": _fingerprint(words, kinds)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset(cursor: str | None, words: str, kinds) -> int:
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset, mark = int(data["o"]), data["f"]
    except (ValueError, TypeError, KeyError):
        raise Invalid("That cursor is not one this search gave: start again without it.") from None
    if mark != _fingerprint(words, kinds) or not 0 < offset <= MAX_OFFSET:
        raise Invalid("That cursor is not one this search gave: start again without it.")
    return offset
