"""Excerpts around a query's words, highlighted from the database's text (the index stores no text)."""
from __future__ import annotations

import re

from whoosh import highlight

from webapp.adapters.search_index.analysis import is_cjk
from webapp.adapters.search_index.reader import query_terms
from webapp.adapters.search_index.schema import SCHEMA

_SPACES = re.compile(r"\s+")


def snippet_parts(text: str, query_text: str, *, chars: int = 200) -> list[tuple[str, bool]]:
    """An excerpt of `text` around the query's terms as (text, is_match) parts: the caller escapes and marks
    them (a text may hold brackets or markup of its own, so no in-band markers)."""
    text = text or ""
    terms = query_terms(query_text)
    parts = []
    if terms:
        frag = highlight.ContextFragmenter(maxchars=chars, surround=60)
        # As the index holds the text (with each CJK character alone too), so a one-character query is marked.
        parts = highlight.highlight(text, terms, SCHEMA["body"].analyzer, frag, _Parts(chars), top=1, mode="index")
    parts = parts or [(text[:chars], False)]
    # One line: line breaks and runs of spaces (a page's Markdown) read as single spaces.
    parts = [(_SPACES.sub(" ", t), match) for t, match in parts]
    parts[0] = (parts[0][0].lstrip(), parts[0][1])
    parts[-1] = (parts[-1][0].rstrip(), parts[-1][1])
    return [(t, match) for t, match in parts if t]


def snippet(text: str, query_text: str, *, chars: int = 200) -> str:
    """Plain-text excerpt of `text` around the query's terms, matches in [[...]] brackets."""
    return "".join(f"[[{t}]]" if hit else t for t, hit in snippet_parts(text, query_text, chars=chars))


class _Parts(highlight.Formatter):
    """Fragments as (text, is_match) parts instead of a marked-up string, widened to whole words (whoosh cuts at
    token edges, which would show "script>" of "<script>"), the whole text when it is short."""

    def __init__(self, chars: int):
        self.chars = chars

    def format_fragment(self, fragment, replace=False):
        text = fragment.text
        start, end = fragment.startchar, fragment.endchar
        if len(text) <= self.chars:
            start, end = 0, len(text)
        while start > 0 and not _between_words(text, start):
            start -= 1
        while end < len(text) and not _between_words(text, end):
            end += 1
        out = [("… ", False)] if start > 0 else []
        index_ = start
        for t in sorted(fragment.matches, key=lambda tok: (tok.startchar, -(tok.endchar - tok.startchar))):
            if t.startchar is None or t.endchar <= index_:
                continue
            if t.startchar < index_:
                # Overlaps the match before it (CJK character pairs do: 東京 京タ タワ): that match grows.
                if out and out[-1][1]:
                    out[-1] = (out[-1][0] + text[index_:t.endchar], True)
                    index_ = t.endchar
                continue
            if t.startchar > index_:
                out.append((text[index_:t.startchar], False))
            out.append((highlight.get_text(text, t, replace), True))
            index_ = t.endchar
        if index_ < end:
            out.append((text[index_:end], False))
        if end < len(text):
            out.append((" …", False))
        return out

    def format(self, fragments, replace=False):
        parts: list[tuple[str, bool]] = []
        for f in fragments:
            parts.extend(self.format_fragment(f, replace=replace))
        return parts


def _between_words(text: str, i: int) -> bool:
    """Whether text may be cut before text[i]: at a space, or beside a CJK character (those scripts put no
    spaces between words, so widening to a space would show a whole paragraph)."""
    return text[i - 1].isspace() or is_cjk(text[i - 1]) or is_cjk(text[i])
