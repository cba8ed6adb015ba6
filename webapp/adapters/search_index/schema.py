"""The index's schema, and how text becomes the words it holds."""
from __future__ import annotations

from whoosh import analysis, fields
from whoosh.support.charset import accent_map

from webapp.adapters.search_index.analysis import TEXT

# The words of a title as typed so far, folded like TEXT but without stop words ("the" may begin "theme").
TYPED = analysis.RegexTokenizer() | analysis.LowercaseFilter() | analysis.CharsetFilter(accent_map)
PREFIX_CHARS = 20  # longer typed words are looked up by their first PREFIX_CHARS characters
PREFIXES = TYPED | analysis.NgramFilter(2, PREFIX_CHARS, at="start")

SCHEMA = fields.Schema(
    doc_id=fields.ID(stored=True, unique=True),  # "<kind>:<id>", e.g. "page:12", "video:abc", "transcript:abc:3"
    parent=fields.ID(stored=True),  # the subject that owns it ("video:abc" for its transcript windows)
    kind=fields.ID(stored=True, sortable=True),  # sortable: a column, read per hit for the counts by kind
    start=fields.NUMERIC(float, stored=True),  # a transcript window's first second (the viewer's time)
    space=fields.ID(stored=True, sortable=True),
    title=fields.TEXT(analyzer=TEXT, field_boost=3.0),
    headings=fields.TEXT(analyzer=TEXT, field_boost=2.0),
    body=fields.TEXT(analyzer=TEXT),
    author=fields.ID,
    updated=fields.DATETIME(sortable=True),  # sortable: the ranking reads it to put recent things slightly ahead
    views=fields.NUMERIC(int, sortable=True),  # a video's watches as popularity(): 1, 2, 3... at 1, 2, 4... views
    # Who may view it, as policy.audience() tokens: a query keeps what holds one of the viewer's tokens.
    access=fields.KEYWORD(commas=False, scorable=False),
    # The title's word beginnings, for search-as-you-type ("dep" is a word of "Deploy runbook").
    suggest=fields.TEXT(analyzer=PREFIXES, phrase=False),
)


def signature(schema: fields.Schema) -> list[tuple]:
    # What must match for documents of SCHEMA to be written into an existing index (names, kinds, storage, and
    # how text becomes words: an index folded otherwise would miss what queries now look for).
    return [(name, type(f).__name__, bool(f.stored), bool(getattr(f, "unique", False)),
             getattr(getattr(f, "format", None), "field_boost", 1.0), _analysis(f))
            for name, f in sorted(schema.items())]


def _analysis(field) -> tuple[str, ...]:
    analyzer = getattr(field, "analyzer", None)
    # A step's `version` names a change in what it does that its class name does not (its patterns, its ranges).
    return tuple(type(step).__name__ + str(getattr(step, "version", ""))
                 for step in getattr(analyzer, "items", [analyzer] if analyzer else []))


def terms_of(text: str) -> list[str]:
    """`text`'s words as the index holds them, to compare with query_terms()."""
    return [t.text for t in SCHEMA["body"].analyzer(text or "")]
