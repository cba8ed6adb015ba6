"""Reading odd input at the HTTP edge: one strict integer parser and one bounded JSON body reader.

Everything here refuses with webapp.errors kinds (Invalid 400, TooLarge 413, Unsupported 415), so each
blueprint's one error handler answers it; nothing here knows how the answer is rendered.

Why not the obvious calls:
- `str.isdigit()` is true for superscripts ("²") that `int()` refuses, and `int()` takes any Unicode digit
  and any size: integers here are ASCII digits, bounded to what the database stores.
- `json.loads` recurses once per nesting level, so "[" * 100000 exhausts the stack; it accepts lone surrogates
  ("\\ud800") that the database driver refuses, NaN and Infinity, and integers of any size. The body's nesting is
  measured on the raw text before parsing, and every parsed value is checked.
"""
from __future__ import annotations

import json
import re
from itertools import accumulate

from flask import request

from webapp.errors import Invalid, TooLarge, Unsupported
from webapp.text import SURROGATE

INT32_MAX = 2**31 - 1  # an INTEGER column on PostgreSQL: ids, revision numbers
INT64_MAX = 2**63 - 1  # a BIGINT column (byte sizes and offsets), and SQLite's INTEGER
MAX_DEPTH = 32  # no endpoint takes anything deeper than an object holding a list or two
DEFAULT_MAX_BYTES = 64 * 1024

_DIGITS = re.compile(r"[0-9]{1,19}")  # [0-9], not \d: \d takes every Unicode decimal digit
_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRING = re.compile(r'"[^"]*"')  # once escapes are gone, a string runs to the next quote
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_TEXT_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # keeps \t, \n and \r


def parse_int(raw: str | None, name: str, *, lo: int = 0, hi: int = INT64_MAX) -> int:
    """`raw` (a header, a query parameter) as an integer of ASCII digits from lo to hi, else Invalid."""
    text = (raw or "").strip()
    negative = lo < 0 and text.startswith("-")
    digits = text[1:] if negative else text
    if not _DIGITS.fullmatch(digits):
        raise Invalid(f"{name} must be an integer from {lo} to {hi}.")
    value = -int(digits) if negative else int(digits)
    if not lo <= value <= hi:
        raise Invalid(f"{name} must be an integer from {lo} to {hi}.")
    return value


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text, measured without parsing it.

    Linear in the text whatever it holds: escapes go first, so every remaining quote opens or closes a string.
    """
    outside = _STRING.sub("", _ESCAPE.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, _NOT_BRACKET.sub("", outside)), initial=0))


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > 19 or abs(value := int(digits)) > INT64_MAX:
        raise Invalid("A number in the body is out of range.")
    return value


def _bounded_float(text: str) -> float:
    value = float(text)
    if not abs(value) <= INT64_MAX:  # also catches inf (1e400)
        raise Invalid("A number in the body is out of range.")
    return value


def _no_constant(name: str):
    raise Invalid(f"{name} is not a JSON number.")


def _check_strings(value, path: str = "body") -> None:
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if SURROGATE.search(item):
                raise Invalid(f"`{where}` contains an invalid character (a lone UTF-16 surrogate).")
            if "\x00" in item:
                raise Invalid(f"`{where}` contains a NUL character.")
        elif isinstance(item, dict):
            for key, child in item.items():
                stack.append((key, where))
                stack.append((child, key if where == "body" else f"{where}.{key}"))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[]") for child in item)


def parse_json(raw: bytes, *, max_depth: int = MAX_DEPTH):
    """Strict JSON of a bounded depth: numbers in range, no NaN, no lone surrogate or NUL in any string."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("The body is not UTF-8 text.") from None
    if nesting_depth(text) > max_depth:
        raise Invalid(f"The body nests arrays and objects more than {max_depth} levels deep.")
    try:
        data = json.loads(text, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant)
    except (json.JSONDecodeError, RecursionError):
        raise Invalid("The body is not valid JSON.") from None
    _check_strings(data)
    return data


def json_object(max_bytes: int = DEFAULT_MAX_BYTES, *, max_depth: int = MAX_DEPTH) -> dict:
    """The request's body as a JSON object, refusing other content types, bodies over max_bytes, and odd JSON."""
    if not request.is_json:
        raise Unsupported("Send Content-Type: application/json.")
    if request.content_length is not None and request.content_length > max_bytes:
        raise TooLarge(f"The body is larger than {max_bytes} bytes.")
    request.max_content_length = max_bytes  # a chunked body without a length is cut at the same bound
    data = parse_json(request.get_data(cache=True), max_depth=max_depth)
    if not isinstance(data, dict):
        raise Invalid("The body must be a JSON object.")
    return data


def check_line(value: str, name: str) -> str:
    """Refuse control characters (tabs and line breaks included) in a one-line field such as a title."""
    if _CONTROL.search(value):
        raise Invalid(f"`{name}` must be one line without control characters.")
    return value


def check_text(value: str, name: str) -> str:
    """Refuse control characters other than tab, line feed and carriage return in a multi-line field."""
    if _TEXT_CONTROL.search(value):
        raise Invalid(f"`{name}` contains control characters.")
    return value
