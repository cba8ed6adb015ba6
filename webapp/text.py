"""Text rules every service applies to what people type: no lone surrogates, no control characters in a line.

A lone surrogate (U+D800..U+DFFF on its own) is not a character: it cannot be encoded as UTF-8, so the database
driver refuses it, and it arrives only through JSON escapes such as "\\ud800". Control characters (NUL, escape,
bell...) are invisible, break terminals and logs, and PostgreSQL refuses NUL in text outright.

    single_line(value)   a title or a name: control characters and line breaks become spaces, runs of spaces one
    multi_line(value)    a body or a description: keeps \\n and \\t, normalises \\r\\n, drops other controls
Both raise webapp.errors.Invalid for a lone surrogate: there is no honest way to repair one.
"""
from __future__ import annotations

import re

from webapp.errors import Invalid

SURROGATE = re.compile("[\ud800-\udfff]")
# C0 controls, DEL and C1 controls, plus the Unicode line and paragraph separators.
LINE_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The same, minus the tab and line feed a multi-line text may hold (carriage returns are normalised first).
TEXT_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def has_surrogate(value: str) -> bool:
    return SURROGATE.search(value) is not None


def check_surrogates(value: str, what: str = "The text") -> str:
    if has_surrogate(value):
        raise Invalid(f"{what} contains an invalid character (a lone UTF-16 surrogate).")
    return value


def single_line(value: str | None, what: str = "The text") -> str:
    """One line of text with controls and line breaks turned into single spaces, trimmed."""
    value = check_surrogates(value or "", what)
    return " ".join(LINE_CONTROL.sub(" ", value).split())


def multi_line(value: str | None, what: str = "The text") -> str:
    """Text that may span lines: \\r\\n and \\r become \\n; other control characters are dropped."""
    value = check_surrogates(value or "", what)
    return TEXT_CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


# Quoting text inside Markdown that Parley writes (a space's home page, a page made from a video, a file's link):
# what a person typed must read as itself. Anywhere in a line: emphasis, code, links, embeds ({{video:...}}) and
# table cells; a backslash before them is taken by Python-Markdown. "&" and "<" become entities instead (a backslash
# before them would show). At a line's start: headings, quotes, lists, setext underlines, and indentation (code).
_MD_INLINE = re.compile(r"([\\`*_{}\[\]|])")
_MD_INDENT = re.compile(r"^[ \t]+", re.M)
_MD_LINE_MARK = re.compile(r"^([#>+\-])", re.M)
_MD_ORDERED = re.compile(r"^(\d+)\.", re.M)
_MD_LINE_EQUALS = re.compile(r"^=", re.M)


def markdown_literal(value: str) -> str:
    """`value` escaped so that Markdown renders it as the same plain text, never as formatting or HTML."""
    value = _MD_INLINE.sub(r"\\\1", value.replace("&", "&amp;").replace("<", "&lt;"))
    value = _MD_INDENT.sub("", value)
    value = _MD_ORDERED.sub(r"\1\\.", _MD_LINE_MARK.sub(r"\\\1", value))
    return _MD_LINE_EQUALS.sub("&#61;", value)
