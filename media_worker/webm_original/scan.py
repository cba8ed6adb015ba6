"""One pass over a WebM's element headers: its tracks, keyframes and length, or None for ffmpeg's remux."""
from __future__ import annotations

import logging
import mmap
import os
from dataclasses import dataclass, field

from media_worker import ebml
from media_worker.ebml import UNKNOWN_SIZE, EbmlError, Truncated

log = logging.getLogger(__name__)

EBML_HEADER, DOC_TYPE, DOC_TYPE_READ_VERSION = 0x1A45DFA3, 0x4282, 0x4285
SEGMENT, SEEK_HEAD, INFO, TRACKS, CLUSTER, CUES = 0x18538067, 0x114D9B74, 0x1549A966, 0x1654AE6B, 0x1F43B675, 0x1C53BB6B
CHAPTERS, ATTACHMENTS, TAGS, VOID, CRC32 = 0x1043A770, 0x1941A469, 0x1254C367, 0xEC, 0xBF
TIMECODE_SCALE, DURATION, MUXING_APP, WRITING_APP = 0x2AD7B1, 0x4489, 0x4D80, 0x5741
TRACK_ENTRY, TRACK_NUMBER, TRACK_TYPE, CODEC_ID, DEFAULT_DURATION = 0xAE, 0xD7, 0x83, 0x86, 0x23E383
CONTENT_ENCODINGS, VIDEO, PIXEL_WIDTH, PIXEL_HEIGHT = 0x6D80, 0xE0, 0xB0, 0xBA
DISPLAY_WIDTH, DISPLAY_HEIGHT, DISPLAY_UNIT = 0x54B0, 0x54BA, 0x54B2
CLUSTER_TIMECODE, SIMPLE_BLOCK, BLOCK_GROUP, BLOCK, REFERENCE_BLOCK, BLOCK_DURATION = 0xE7, 0xA3, 0xA0, 0xA1, 0xFB, 0x9B
SEEK, SEEK_ID, SEEK_POSITION = 0x4DBB, 0x53AB, 0x53AC
CUE_POINT, CUE_TIME, CUE_TRACK_POSITIONS, CUE_TRACK = 0xBB, 0xB3, 0xB7, 0xF7
CUE_CLUSTER_POSITION, CUE_RELATIVE_POSITION = 0xF1, 0xF0

LEVEL_ONE = {SEEK_HEAD, INFO, TRACKS, CLUSTER, CUES, CHAPTERS, ATTACHMENTS, TAGS, EBML_HEADER}
SKIPPED_IN_SEGMENT = {SEEK_HEAD, CUES, CHAPTERS, ATTACHMENTS, TAGS, VOID, CRC32}  # ours replace them, or no use
CLUSTER_CHILDREN = {CLUSTER_TIMECODE, SIMPLE_BLOCK, BLOCK_GROUP, VOID, CRC32,
                    0xA7, 0xAB, 0x5854, 0xAF}  # Position, PrevSize, SilentTracks, EncryptedBlock
CODECS = {"V_VP8": "vp8", "V_VP9": "vp9", "A_OPUS": "opus", "A_VORBIS": "vorbis"}
KINDS = {1: "video", 2: "audio"}
CLUSTER_HEADER_LENGTH = 12  # a 4-byte ID and an 8-byte size
# About 5 hours of 30 fps video with 20 ms Opus; past it the Python scan would take seconds, so ffmpeg does it.
MAX_BLOCKS = 1_000_000
FIXED = 8  # bytes for every number whose value depends on the layout, so the layout does not depend on it


class NotRewritable(EbmlError):
    """Valid, perhaps, but not something this path copies safely: ffmpeg's remux takes it."""


@dataclass(frozen=True)
class Track:
    number: int
    kind: str
    codec: str
    default_duration: int = 0  # nanoseconds, 0 when the file does not say
    width: int = 0
    height: int = 0
    display_width: int = 0  # the picture shown, square pixels
    display_height: int = 0


@dataclass
class Cluster:
    start: int  # source offset of the cluster's ID
    data: int  # of its first child
    end: int  # source offset just after its last whole child
    declared: int  # the size its header gives, or UNKNOWN_SIZE
    cues: list[tuple[int, int]] = field(default_factory=list)  # (time in ticks, offset of the block in the data)


@dataclass(frozen=True)
class Recording:
    """What scan() learnt: enough to write the original and to fill the video row without ffprobe."""
    timecode_scale: int
    tracks_element: bytes
    video: Track | None
    audio: Track | None
    clusters: list[Cluster]
    duration_ticks: int

    @property
    def duration(self) -> float:
        return round(self.duration_ticks * self.timecode_scale / 1e9, 3)

    @property
    def cue_track(self) -> int:
        return (self.video or self.audio).number


def scan(path: str | os.PathLike, max_pixels: int) -> Recording | None:
    """Read the WebM's element headers; None when this path should leave the file to ffmpeg."""
    size = os.path.getsize(path)
    if size == 0:
        return None
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        try:
            return _Scanner(buf, size, max_pixels).run()
        except EbmlError as e:
            log.info("%s goes to ffmpeg's remux: %s", path, e)
            return None


class _Scanner:
    def __init__(self, buf, size: int, max_pixels: int):
        self.buf, self.size, self.max_pixels = buf, size, max_pixels
        self.tracks: dict[int, Track] = {}
        self.timing: dict[int, list[int]] = {}  # track -> [latest time, last positive step, latest end, default]
        self.profile_checked = self.has_video = False
        self.blocks, self.scale = 0, 1_000_000

    def run(self) -> Recording:
        buf, size = self.buf, self.size
        pos = self._ebml_header()
        seg = ebml.read_header(buf, pos, size) if pos < size else None
        if seg is None or seg.id != SEGMENT:
            raise NotRewritable("no Segment after the EBML header")
        limit = size if seg.size == UNKNOWN_SIZE else seg.end
        tracks_element, clusters = None, []
        pos = seg.data
        while pos < limit:
            try:
                h = ebml.read_header(buf, pos, limit)
            except Truncated:
                if _is_cluster(buf, pos, limit):
                    h = _unbounded_header(buf, pos, limit)  # a cut-off cluster: keep its whole blocks
                else:
                    self._tail_is_empty(pos)
                    break
            if h.id == CLUSTER:
                if tracks_element is None:
                    raise NotRewritable("a Cluster before the Tracks")
                if not self.timing:  # Info and Tracks are both read: frame lengths in ticks
                    self.timing = {n: [-1, 0, 0, round(t.default_duration / self.scale)]
                                   for n, t in self.tracks.items()}
                cluster, pos = self._cluster(h, limit)
                if cluster.end > cluster.data:
                    clusters.append(cluster)
                continue
            if h.size == UNKNOWN_SIZE:
                raise NotRewritable(f"element {h.id:#x} of unknown size in the Segment")
            if h.id == INFO:
                self.scale = self._timecode_scale(h)
            elif h.id == TRACKS:
                if tracks_element is not None:
                    raise NotRewritable("two Tracks elements")
                self._tracks(h)
                tracks_element = bytes(buf[h.start:h.end])
            elif h.id not in SKIPPED_IN_SEGMENT:
                raise NotRewritable(f"unexpected element {h.id:#x} in the Segment")
            pos = h.end
        video = next((t for t in self.tracks.values() if t.kind == "video"), None)
        audio = next((t for t in self.tracks.values() if t.kind == "audio"), None)
        if not clusters or not self.blocks:
            raise NotRewritable("no blocks")
        if not any(c.cues for c in clusters):
            raise NotRewritable("no keyframe to seek to")
        return Recording(timecode_scale=self.scale, tracks_element=tracks_element, video=video, audio=audio,
                         clusters=clusters, duration_ticks=max(end for _, _, end, _ in self.timing.values()))

    def _ebml_header(self) -> int:
        h = ebml.read_header(self.buf, 0, self.size)
        if h.id != EBML_HEADER or h.size == UNKNOWN_SIZE:
            raise NotRewritable("not an EBML file")
        doc_type, read_version = None, 1
        for child in self._children(h):
            if child.id == DOC_TYPE:
                doc_type = ebml.read_string(self.buf, child)
            elif child.id == DOC_TYPE_READ_VERSION:
                read_version = ebml.read_uint(self.buf, child)
        if doc_type not in ("webm", "matroska") or read_version > 2:
            raise NotRewritable(f"DocType {doc_type!r} version {read_version}")
        return h.end

    def _children(self, h: ebml.Header):
        pos = h.data
        while pos < h.end:
            child = ebml.read_header(self.buf, pos, h.end)
            if child.size == UNKNOWN_SIZE:
                raise NotRewritable(f"element {child.id:#x} of unknown size")
            yield child
            pos = child.end

    def _timecode_scale(self, h: ebml.Header) -> int:
        scale = 1_000_000
        for child in self._children(h):
            if child.id == TIMECODE_SCALE:
                scale = ebml.read_uint(self.buf, child)
        if not 1_000 <= scale <= 1_000_000_000:
            raise NotRewritable(f"TimecodeScale {scale}")
        return scale

    def _tracks(self, h: ebml.Header) -> None:
        for entry in self._children(h):
            if entry.id != TRACK_ENTRY:
                continue
            track = self._track(entry)
            if track.number in self.tracks or any(t.kind == track.kind for t in self.tracks.values()):
                raise NotRewritable(f"a second {track.kind} track")
            self.tracks[track.number] = track
        if not self.tracks:
            raise NotRewritable("no tracks")
        self.has_video = any(t.kind == "video" for t in self.tracks.values())

    def _track(self, entry: ebml.Header) -> Track:
        buf, values, picture = self.buf, {}, {}
        for child in self._children(entry):
            if child.id in (TRACK_NUMBER, TRACK_TYPE, DEFAULT_DURATION):
                values[child.id] = ebml.read_uint(buf, child)
            elif child.id == CODEC_ID:
                values[CODEC_ID] = ebml.read_string(buf, child)
            elif child.id == CONTENT_ENCODINGS:
                raise NotRewritable("an encrypted or compressed track")
            elif child.id == VIDEO:
                picture = {c.id: ebml.read_uint(buf, c) for c in self._children(child)
                           if c.id in (PIXEL_WIDTH, PIXEL_HEIGHT, DISPLAY_WIDTH, DISPLAY_HEIGHT, DISPLAY_UNIT)}
        kind, codec = KINDS.get(values.get(TRACK_TYPE)), CODECS.get(values.get(CODEC_ID))
        if kind is None or codec is None or not values.get(TRACK_NUMBER) or (kind == "video") != codec.startswith("vp"):
            raise NotRewritable(f"track type {values.get(TRACK_TYPE)} codec {values.get(CODEC_ID)!r}")
        track = Track(number=values[TRACK_NUMBER], kind=kind, codec=codec,
                      default_duration=values.get(DEFAULT_DURATION, 0))
        if kind == "audio":
            return track
        width, height = picture.get(PIXEL_WIDTH, 0), picture.get(PIXEL_HEIGHT, 0)
        if not (width and height) or width * height > self.max_pixels:
            raise NotRewritable(f"picture size {width}x{height}")  # ffmpeg's probe says so in words
        shown_w, shown_h = picture.get(DISPLAY_WIDTH, 0), picture.get(DISPLAY_HEIGHT, 0)
        display_width = width
        if picture.get(DISPLAY_UNIT, 0) == 0 and shown_w and shown_h and (shown_w, shown_h) != (width, height):
            display_width = max(1, round(shown_w * height / shown_h))  # stretch the width, keep the lines
        return Track(number=track.number, kind=kind, codec=codec, default_duration=track.default_duration,
                     width=width, height=height, display_width=display_width, display_height=height)

    def _cluster(self, h: ebml.Header, segment_limit: int) -> tuple[Cluster, int]:
        """One cluster's blocks; returns it and where the next element starts."""
        sized = h.size != UNKNOWN_SIZE
        limit = min(h.data + h.size, segment_limit) if sized else segment_limit
        buf, cluster, timecode, pos = self.buf, Cluster(start=h.start, data=h.data, end=h.data, declared=h.size), None, h.data
        while pos < limit:
            # Nearly every child is a SimpleBlock of a one-byte track number: read it here, without the generic
            # header (this loop runs for every frame of a long recording). Anything else takes the long way.
            if buf[pos] == SIMPLE_BLOCK and timecode is not None and pos + 1 < limit and buf[pos + 1]:
                length = 9 - buf[pos + 1].bit_length()
                data = pos + 1 + length
                unknown = (1 << (7 * length)) - 1
                size = int.from_bytes(buf[pos + 1:data], "big") & unknown
                end = data + size
                if size != unknown and data + 4 <= end <= limit and buf[data] & 0x80:
                    flags = buf[data + 3]
                    self._frame(buf[data] & 0x7F, timecode, int.from_bytes(buf[data + 1:data + 3], "big", signed=True),
                                bool(flags & 0x80), flags, None, data + 4, end, pos - cluster.data, cluster)
                    pos = cluster.end = end
                    continue
            try:
                child = ebml.read_header(buf, pos, limit)
            except Truncated:
                self._tail_is_empty(pos)
                return cluster, limit
            if child.id not in CLUSTER_CHILDREN:
                if not sized and child.id in LEVEL_ONE:
                    return cluster, pos  # an unknown-size cluster ends where the next top-level element starts
                raise NotRewritable(f"unexpected element {child.id:#x} in a Cluster")
            if child.size == UNKNOWN_SIZE:
                raise NotRewritable(f"element {child.id:#x} of unknown size in a Cluster")
            if child.id == CLUSTER_TIMECODE:
                timecode = ebml.read_uint(buf, child)
            elif child.id in (SIMPLE_BLOCK, BLOCK_GROUP):
                if timecode is None:
                    raise NotRewritable("a block before its cluster's timecode")
                self._block(child, timecode, cluster)
            pos = cluster.end = child.end
        return cluster, pos

    def _block(self, h: ebml.Header, timecode: int, cluster: Cluster) -> None:
        """A SimpleBlock or BlockGroup by the generic reader (multi-byte track numbers, groups)."""
        buf, duration, keyframe = self.buf, None, True  # a BlockGroup without a ReferenceBlock is a keyframe
        block = h
        if h.id == BLOCK_GROUP:
            block = None
            for child in self._children(h):
                if child.id == BLOCK:
                    block = child
                elif child.id == REFERENCE_BLOCK:
                    keyframe = False
                elif child.id == BLOCK_DURATION:
                    duration = ebml.read_uint(buf, child)
            if block is None:
                raise NotRewritable("a BlockGroup without a Block")
        number, length = ebml.read_vint(buf, block.data, block.end)
        head = block.data + length
        if head + 3 > block.end:
            raise NotRewritable("a block shorter than its header")
        flags = buf[head + 2]
        if h.id == SIMPLE_BLOCK:
            keyframe = bool(flags & 0x80)
        self._frame(number, timecode, int.from_bytes(buf[head:head + 2], "big", signed=True), keyframe, flags,
                    duration, head + 3, block.end, h.start - cluster.data, cluster)

    def _frame(self, number: int, timecode: int, relative: int, keyframe: bool, flags: int, duration: int | None,
               frame: int, end: int, offset: int, cluster: Cluster) -> None:
        """One block's bookkeeping: its track's latest end (for the Duration) and, for keyframes, a cue."""
        self.blocks += 1
        if self.blocks > MAX_BLOCKS:
            raise NotRewritable(f"more than {MAX_BLOCKS} blocks")
        track = self.tracks.get(number)
        if track is None:
            raise NotRewritable(f"a block of undeclared track {number}")
        time = max(0, timecode + relative)
        state = self.timing[number]  # [latest time, last positive step, latest end]
        if time > state[0] >= 0:
            state[1] = time - state[0]
        state[0] = time
        if duration is None:
            duration = state[3] or state[1]  # the track's DefaultDuration, else its last step
        if time + duration > state[2]:
            state[2] = time + duration
        if track.kind == "video":
            if flags & 0x06:
                raise NotRewritable("laced video frames")
            if keyframe:
                if not self.profile_checked:
                    self._check_profile(track, frame, end)
                cluster.cues.append((time, offset))
        elif not self.has_video and not cluster.cues:
            cluster.cues.append((time, offset))  # audio only: a cue per cluster

    def _check_profile(self, track: Track, frame: int, end: int) -> None:
        """VP9 beyond profile 0 (10-bit, 4:4:4) does not play everywhere; VP8 has one profile."""
        self.profile_checked = True
        if track.codec != "vp9":
            return
        if frame >= end:
            raise NotRewritable("an empty VP9 keyframe")
        first = self.buf[frame]
        marker, profile = first >> 6, ((first >> 5) & 1) | (((first >> 4) & 1) << 1)
        if marker != 2 or profile != 0:
            raise NotRewritable(f"VP9 frame marker {marker} profile {profile}")

    def _tail_is_empty(self, pos: int) -> None:
        """Stopping at a cut-off element is fine at the very end of a file; before another cluster it would
        drop the rest of the recording, so ffmpeg (which resynchronises) takes it."""
        if self.buf.find(ebml.encode_id(CLUSTER), pos + 1, self.size) != -1:
            raise NotRewritable(f"damaged element at {pos} before the end")


def _is_cluster(buf, pos: int, limit: int) -> bool:
    return bytes(buf[pos:pos + 4]) == ebml.encode_id(CLUSTER) and pos + 5 <= limit


def _unbounded_header(buf, pos: int, limit: int) -> ebml.Header:
    """The header of a sized cluster whose size runs past the end of the file: read it as of unknown size."""
    size, length = ebml.read_vint(buf, pos + 4, limit)
    return ebml.Header(CLUSTER, pos, pos + 4 + length, UNKNOWN_SIZE)
