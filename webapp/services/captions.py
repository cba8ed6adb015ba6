"""Captions: WebVTT and SubRip files made from a transcript, and caption files read back into one.

Both formats are written and read by their libraries (webvtt-py, srt), never by hand. Cues are cut for reading:
a long segment is split at its word timings so that no cue holds more than two lines or lasts much more than
seven seconds. Everything here is in the viewer's time (0 = the start of what plays); `replace_from_file` moves
an upload's times into the source's time, where transcripts are stored.
"""
from __future__ import annotations

import html
import json
import os
import re
import textwrap
import unicodedata
from datetime import timedelta

import srt
import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from webapp import text
from webapp.errors import Conflict, Invalid, NotFound, TooLarge
from webapp.extensions import db
from webapp.media_state import VideoStatus
from webapp.models import Transcript, TranscriptSegment, TranscriptState, User, Video
from webapp.services import outbox, transcripts
from webapp.services import videos as video_rules
from webapp.services.transcripts import Words

MAX_BYTES = 2 * 1024 * 1024
TOO_LARGE = f"The caption file is larger than {MAX_BYTES // (1024 * 1024)} MB."
MAX_CUES = 20_000  # a day of talk at one cue every five seconds; more is not a caption file
LINE_CHARS = 42  # the usual caption line: readable at a glance on a phone and on a television
MAX_LINES = 2
MAX_CUE_SECONDS = 7.0
SENTENCE_END = (".", "?", "!", "…")
FORMATS = {"vtt": "text/vtt; charset=utf-8", "srt": "application/x-subrip; charset=utf-8"}
# Cue tags (<i>, </b>, <v Ann>, <00:01.000>) and SubRip's {\an8}; a "<" that opens no tag ("a < b") is text.
_TAG = re.compile(r"<(?:/?[A-Za-z][^<>\n]*|\d[\d:.]*)>|\{\\[^}\n]*\}")


# -- writing --------------------------------------------------------------------------------------------------

def cues(segments: list[dict]) -> list[tuple[float, float, str]]:
    """(start, end, text) of each cue, from view()'s segments: one per segment, long ones split at word timings."""
    out = []
    for seg in segments:
        start, end = float(seg["start"]), float(seg["end"])
        words = [(float(a), float(b), w) for a, b, w in seg.get("words") or [] if w.strip()]
        if not words:  # an uploaded cue: the uploader chose how to cut it
            body = " ".join(seg["text"].split())
            if body:
                out.append((start, max(end, start + 0.01), body))
            continue
        chunks = _chunks(words)
        for i, chunk in enumerate(chunks):
            # The cues of one segment tile it: each lasts until the next begins, the first and last keep its edges.
            c_start = start if i == 0 else chunk[0][0]
            c_end = end if i == len(chunks) - 1 else chunks[i + 1][0][0]
            out.append((c_start, max(c_end, c_start + 0.01), " ".join(w for _, _, w in chunk)))
    return out


def _fits(words: list[str]) -> bool:
    return len(textwrap.wrap(" ".join(words), LINE_CHARS)) <= MAX_LINES


def _chunks(words: list[tuple[float, float, str]]) -> list[list[tuple[float, float, str]]]:
    """Greedy: add words while the cue fits two lines and seven seconds; end a cue early at a sentence's end
    once it is half full, so a new sentence starts a new caption."""
    chunks: list[list[tuple[float, float, str]]] = [[]]
    for word in words:
        current = chunks[-1]
        if current:
            too_long = not _fits([w for _, _, w in current] + [word[2]]) or word[1] - current[0][0] > MAX_CUE_SECONDS
            sentence_done = current[-1][2].endswith(SENTENCE_END) and (
                len(" ".join(w for _, _, w in current)) >= LINE_CHARS or current[-1][1] - current[0][0] >= 3.0)
            if too_long or sentence_done:
                chunks.append([])
        chunks[-1].append(word)
    return [c for c in chunks if c]


def _lines(body: str) -> list[str]:
    return textwrap.wrap(body, LINE_CHARS) or [body]


def _vtt_timestamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def to_vtt(segments: list[dict]) -> str:
    """A WebVTT file of the segments (view()'s), written by webvtt-py."""
    # Cue text is markup in WebVTT: what was said must read as itself ("<" would open a tag, "-->" end the cue).
    made = [webvtt.Caption(_vtt_timestamp(a), _vtt_timestamp(b), [html.escape(line, quote=False)
                                                                   for line in _lines(body)])
            for a, b, body in cues(segments)]
    return webvtt.WebVTT(captions=made).content


def to_srt(segments: list[dict]) -> str:
    """A SubRip file of the segments (view()'s), composed by srt."""
    subs = [srt.Subtitle(index=i, start=timedelta(milliseconds=round(a * 1000)),
                         end=timedelta(milliseconds=round(b * 1000)), content="\n".join(_lines(body)))
            for i, (a, b, body) in enumerate(cues(segments), start=1)]
    return srt.compose(subs)


def caption_file(video: Video, fmt: str) -> tuple[str, str]:
    """(file text, content type) of the video's captions in `fmt`; NotFound while there is no finished transcript."""
    if fmt not in FORMATS:
        raise Invalid("The caption format must be 'vtt' or 'srt'.")
    view = transcripts.view(video)
    if view["state"] != TranscriptState.DONE:
        raise NotFound(_not_ready(view["state"]))
    body = to_vtt(view["segments"]) if fmt == "vtt" else to_srt(view["segments"])
    return body, FORMATS[fmt]


def _not_ready(state: str) -> str:
    return {
        TranscriptState.EMPTY: "No speech was found in this video, so it has no captions.",
        TranscriptState.QUEUED: "This video is waiting to be transcribed; its captions come after that.",
        TranscriptState.RUNNING: "This video is being transcribed; its captions come when that is done.",
        TranscriptState.UNAVAILABLE: "This video could not be transcribed, so it has no captions yet.",
    }.get(state, "This video has no transcript, so it has no captions.")


def download_name(video: Video, fmt: str) -> str:
    """A file name from the title: letters, digits and a few marks kept, everything else (slashes, quotes,
    controls) a space; "captions" when nothing is left."""
    kept = "".join(ch if unicodedata.category(ch)[0] in "LMN" or ch in " -_.()" else " " for ch in video.title or "")
    name = " ".join(kept.split()).strip(" .")[:80].rstrip(" .")
    return f"{name or 'captions'}.{fmt}"


# -- reading --------------------------------------------------------------------------------------------------

def parse(filename: str, data: bytes) -> list[Words]:
    """The cues of an uploaded .vtt or .srt file as segments (seconds as written, no word timings), in order.
    Invalid with a sentence saying what is wrong, and where when the library says."""
    if len(data) > MAX_BYTES:
        raise TooLarge(TOO_LARGE)
    fmt = _format_of(filename, data)
    body = _decode(data)
    if not body.strip():
        raise Invalid("The caption file is empty.")
    found = _parse_vtt(body) if fmt == "vtt" else _parse_srt(body)
    if not found:
        raise Invalid("The caption file holds no captions.")
    if len(found) > MAX_CUES:
        raise Invalid(f"The caption file holds {len(found)} captions; at most {MAX_CUES} are taken.")
    _check_order(found)
    return found


def _format_of(filename: str, data: bytes) -> str:
    ext = os.path.splitext(filename or "")[1].lower().lstrip(".")
    if ext == "srt" and data.startswith((b"WEBVTT", b"\xef\xbb\xbfWEBVTT")):
        return "vtt"  # misnamed, but its header says what it is
    if ext in FORMATS:
        return ext
    if ext:
        raise Invalid(f"A .{ext[:10]} file is not a caption file Parley reads: upload a WebVTT (.vtt) or SubRip "
                      f"(.srt) file.")
    # No name to go by (an API client's bare part): the header tells.
    return "vtt" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"WEBVTT") else "srt"


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise Invalid("This is not a caption file: it holds binary data. Upload a WebVTT (.vtt) or SubRip (.srt) "
                      "text file.")
    try:
        body = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise Invalid(f"The caption file is not UTF-8 text (line {line} cannot be read). Save it as UTF-8 and "
                      f"upload it again.") from None
    return text.multi_line(body, "The caption file")


def _parse_vtt(body: str) -> list[Words]:
    first = body.split("\n", 1)[0]  # the header comes first, blank lines before it included
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise Invalid(f"This is not a WebVTT file: its first line must be \"WEBVTT\", but it is "
                      f"\"{first[:40]}\".")
    for line, block in _blocks(body):
        # The format skips such a block; here it is a cue gone wrong, and its words would be lost unsaid.
        if "-->" not in block and not block.startswith(("NOTE", "STYLE", "REGION")):
            raise Invalid(f"The WebVTT file cannot be read at line {line}: \"{block.split(_NL, 1)[0][:60]}\" is "
                          f"neither a cue nor a note (a cue starts with a line like 00:00:01.000 --> 00:00:04.000).")
    try:
        captions = webvtt.from_string(body, strict=True).captions
    except (MalformedFileError, MalformedCaptionError) as e:
        raise Invalid(f"The WebVTT file cannot be read{_where_refused(body)}: {e}.") from None
    return [_words(c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000, c.text, f"cue {i}")
            for i, c in enumerate(captions, start=1)]


_NL = "\n"


def _blocks(body: str):
    """(line number, text) of each block after the header: WebVTT's blocks are separated by blank lines."""
    line = 1
    for i, block in enumerate(body.split("\n\n")):
        if i and block.strip("\n"):
            yield line + len(block) - len(block.lstrip("\n")), block.strip("\n")
        line += block.count("\n") + 2


def _where_refused(body: str) -> str:
    """" at line N": the first cue the library refuses on its own, since its error does not say where. Run only
    once the whole file has been refused."""
    for line, block in _blocks(body):
        if "-->" in block:
            try:
                webvtt.from_string("WEBVTT\n\n" + block, strict=True)
            except (MalformedFileError, MalformedCaptionError):
                return f" at line {line}"
    return ""


def _parse_srt(body: str) -> list[Words]:
    try:
        subs = list(srt.parse(body))
    except srt.SRTParseError as e:
        stray = e.unmatched_content.lstrip()
        line = body[:e.expected_start + len(e.unmatched_content) - len(stray)].count("\n") + 1
        first = stray.split("\n", 1)[0][:60]
        raise Invalid(f"The SubRip file cannot be read at line {line}: \"{first}\" is not part of a numbered, "
                      f"timed caption.") from None
    except srt.TimestampParseError as e:
        raise Invalid(f"The SubRip file cannot be read: {e}.") from None
    return [_words(s.start.total_seconds(), s.end.total_seconds(), s.content, f"caption {s.index or i}")
            for i, s in enumerate(subs, start=1)]


def _words(start: float, end: float, raw: str, where: str) -> Words:
    if end <= start:
        raise Invalid(f"The file's {where} ends ({_clock(end)}) before it starts ({_clock(start)}).")
    spoken = " ".join(html.unescape(_TAG.sub("", raw)).split())
    return Words(start=start, end=end, text=spoken, words=[])


def _check_order(found: list[Words]) -> None:
    for i in range(1, len(found)):
        if found[i].start < found[i - 1].start:
            raise Invalid(f"The file's times go backwards: cue {i + 1} starts at {_clock(found[i].start)}, before "
                          f"cue {i} ({_clock(found[i - 1].start)}).")


def _clock(seconds: float) -> str:
    return _vtt_timestamp(seconds)


# -- replacing --------------------------------------------------------------------------------------------------

def replace_from_file(principal, video: Video, filename: str, data: bytes) -> Transcript:
    """The owner (or an admin) replaces the transcript with a caption file's cues. Nothing changes unless the
    whole file is good. Announced for search in the same transaction; commits."""
    video = video_rules.get_managed(principal, video.id)
    if video.status != VideoStatus.READY:
        # Its length is not known yet, and the transcription queued when it plays would replace the upload.
        raise Conflict("Captions can be uploaded once the video has been processed and plays.")
    parsed = parse(filename, data)
    length = video.duration  # what plays, as the file's times are
    if length:
        late = next((i for i, s in enumerate(parsed, start=1) if s.start >= length), None)
        if late is not None:
            raise Invalid(f"Cue {late} starts at {_clock(parsed[late - 1].start)}, after the video's end "
                          f"({_clock(length)}): is this file for another video?")
    found = [s for s in parsed if s.text]
    if not found:
        raise Invalid("The caption file's captions hold no text.")
    current = transcripts.of(video.id)
    if current is not None and current.state in (TranscriptState.QUEUED, TranscriptState.RUNNING):
        # The worker's result would land on top of the upload when it finishes.
        raise Conflict("This video is being transcribed; upload captions when that has finished.")
    offset, _ = transcripts.shift(video)
    if current is None:
        current = Transcript(video_id=video.id)
        db.session.add(current)
    transcripts.ensure_first(current)  # the text it replaces stays in the history, to restore
    current.segments.clear()
    db.session.flush()
    for i, s in enumerate(found):
        end = min(s.end, length) if length else s.end
        current.segments.append(TranscriptSegment(
            video_id=video.id, position=i, start=round(s.start + offset, 3), end=round(end + offset, 3),
            text=s.text, words_json=json.dumps([])))
    current.state, current.progress, current.reason = TranscriptState.DONE, 100, None
    current.origin, current.model, current.language = "upload", "", None
    current.source_sha1 = video.source_sha1  # so a trim or a retry of this file does not transcribe it over again
    transcripts.record(current, "upload", principal.id, f"Caption file {filename[:120]}".strip())
    outbox.announce("video.transcribed", f"video:{video.id}", video_id=video.id)
    db.session.commit()
    return current


def set_preference(principal, on: bool) -> bool:
    """Whether the player starts with captions showing, for this person on every browser. Commits."""
    user = db.session.get(User, principal.id)
    if user is None:
        raise NotFound("No such account.")
    user.captions_on = on
    db.session.commit()
    return user.captions_on
