"""EBML, the binary layout of Matroska and WebM: reading element headers from a buffer, writing elements.

Only what the WebM rewriter needs (webm_original/). Every read is bounded by the buffer: a size or an ID that
runs past the end raises EbmlError, never IndexError, so a damaged upload is a refusal, not a crash.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

UNKNOWN_SIZE = -1  # a master element whose end is the next element that cannot be its child (live recordings)


class EbmlError(ValueError):
    """The bytes are not well-formed EBML where they were expected to be."""


class Truncated(EbmlError):
    """The bytes stop inside an element: the end of a file that was cut off, or a size that is nonsense."""


@dataclass(frozen=True)
class Header:
    id: int
    start: int  # offset of the ID
    data: int  # offset of the first byte after the size
    size: int  # bytes of data, or UNKNOWN_SIZE

    @property
    def end(self) -> int:
        if self.size == UNKNOWN_SIZE:
            raise EbmlError("an element of unknown size has no end of its own")
        return self.data + self.size


def _vint(buf, pos: int, limit: int, keep_marker: bool) -> tuple[int, int]:
    if pos >= limit:
        raise Truncated("the file ends inside an element header")
    first = buf[pos]
    if first == 0:
        raise EbmlError(f"invalid variable-length integer at {pos}")
    length = 9 - first.bit_length()  # the leading 1 bit says how many bytes follow
    if pos + length > limit:
        raise Truncated("the file ends inside an element header")
    value = first if keep_marker else first & (0xFF >> length)
    for b in buf[pos + 1:pos + length]:
        value = (value << 8) | b
    return value, length


def read_vint(buf, pos: int, limit: int) -> tuple[int, int]:
    """A variable-length integer (a track number in a block): (value, bytes it took)."""
    return _vint(buf, pos, limit, keep_marker=False)


def read_header(buf, pos: int, limit: int) -> Header:
    """The element at `pos`; its data must fit before `limit` unless its size is unknown."""
    eid, id_len = _vint(buf, pos, limit, keep_marker=True)
    if id_len > 4:
        raise EbmlError(f"element ID longer than 4 bytes at {pos}")
    size, size_len = _vint(buf, pos + id_len, limit, keep_marker=False)
    data = pos + id_len + size_len
    if size == (1 << (7 * size_len)) - 1:
        return Header(eid, pos, data, UNKNOWN_SIZE)
    if data + size > limit:
        raise Truncated(f"element {eid:#x} at {pos} runs past the end of the file")
    return Header(eid, pos, data, size)


def read_uint(buf, header: Header) -> int:
    if not 0 <= header.size <= 8:
        raise EbmlError(f"an unsigned integer of {header.size} bytes")
    return int.from_bytes(buf[header.data:header.end], "big")


def read_float(buf, header: Header) -> float:
    if header.size == 4:
        return struct.unpack(">f", buf[header.data:header.end])[0]
    if header.size == 8:
        return struct.unpack(">d", buf[header.data:header.end])[0]
    if header.size == 0:
        return 0.0
    raise EbmlError(f"a float of {header.size} bytes")


def read_string(buf, header: Header) -> str:
    return bytes(buf[header.data:header.end]).rstrip(b"\0").decode("ascii", "replace")


def encode_id(eid: int) -> bytes:
    return eid.to_bytes((eid.bit_length() + 7) // 8, "big")


def encode_size(size: int, width: int = 8) -> bytes:
    """A size in exactly `width` bytes, so a header's length does not depend on the sizes inside it."""
    if size >= (1 << (7 * width)) - 1:
        raise EbmlError(f"{size} does not fit in a {width}-byte size")
    return (size | (1 << (7 * width))).to_bytes(width, "big")


def element(eid: int, data: bytes) -> bytes:
    return encode_id(eid) + encode_size(len(data)) + data


def uint(eid: int, value: int, width: int | None = None) -> bytes:
    """An unsigned integer element; a fixed `width` keeps the element's length independent of the value."""
    width = width or max(1, (value.bit_length() + 7) // 8)
    return element(eid, value.to_bytes(width, "big"))


def float64(eid: int, value: float) -> bytes:
    return element(eid, struct.pack(">d", value))


def string(eid: int, value: str) -> bytes:
    return element(eid, value.encode("ascii"))
