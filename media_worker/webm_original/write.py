"""The original: a new header (EBML, SeekHead, Info, the source's Tracks, Cues) before the source's clusters."""
from __future__ import annotations

import os

from media_worker import ebml
from media_worker.webm_original.scan import (
    CLUSTER,
    CLUSTER_HEADER_LENGTH,
    CUE_CLUSTER_POSITION,
    CUE_POINT,
    CUE_RELATIVE_POSITION,
    CUE_TIME,
    CUE_TRACK,
    CUE_TRACK_POSITIONS,
    CUES,
    DOC_TYPE,
    DOC_TYPE_READ_VERSION,
    DURATION,
    EBML_HEADER,
    FIXED,
    INFO,
    MUXING_APP,
    SEEK,
    SEEK_HEAD,
    SEEK_ID,
    SEEK_POSITION,
    SEGMENT,
    TIMECODE_SCALE,
    TRACKS,
    WRITING_APP,
    Cluster,
    Recording,
)


def write(rec: Recording, src: str | os.PathLike, out: str | os.PathLike) -> None:
    """The original: our header, then every cluster with its real size and its bytes copied unchanged."""
    info = ebml.element(INFO, ebml.uint(TIMECODE_SCALE, rec.timecode_scale) + ebml.string(MUXING_APP, "Parley")
                        + ebml.string(WRITING_APP, "Parley") + ebml.float64(DURATION, float(rec.duration_ticks)))
    # Lengths first (fixed-width numbers make them independent of the positions), then the positions.
    seek_head_length = len(_seek_head(0, 0, 0))
    cues_length = len(_cues(rec, [0] * len(rec.clusters)))
    info_at = seek_head_length
    tracks_at = info_at + len(info)
    cues_at = tracks_at + len(rec.tracks_element)
    in_place = _in_place(rec.clusters)
    cluster_at, at = [], cues_at + cues_length
    for c in rec.clusters:
        cluster_at.append(at)
        at += (c.end - c.start) if in_place else CLUSTER_HEADER_LENGTH + (c.end - c.data)
    header = b"".join([_seek_head(info_at, tracks_at, cues_at), info, rec.tracks_element, _cues(rec, cluster_at)])
    assert len(header) == cluster_at[0], "the header's length must not depend on the positions in it"
    doc = ebml.element(EBML_HEADER, ebml.uint(0x4286, 1) + ebml.uint(0x42F7, 1) + ebml.uint(0x42F2, 4)
                       + ebml.uint(0x42F3, 8) + ebml.string(DOC_TYPE, "webm") + ebml.uint(0x4287, 4)
                       + ebml.uint(DOC_TYPE_READ_VERSION, 2))
    segment = ebml.encode_id(SEGMENT) + ebml.encode_size(at)
    with open(src, "rb") as source, open(out, "wb") as target:
        target.write(doc + segment + header)
        base = target.tell() - cluster_at[0]
        if in_place:
            # One copy of the whole run of clusters (a single system call on Linux), then each unknown size
            # written over: thousands of clusters cost microseconds each, not a copy each.
            first, last = rec.clusters[0], rec.clusters[-1]
            _copy(source, target, first.start, last.end - first.start)
            for c, at in zip(rec.clusters, cluster_at, strict=True):
                if c.declared != c.end - c.data:
                    os.pwrite(target.fileno(), ebml.encode_size(c.end - c.data), base + at + 4)
        else:
            for c in rec.clusters:
                target.write(ebml.encode_id(CLUSTER) + ebml.encode_size(c.end - c.data))
                _copy(source, target, c.data, c.end - c.data)


def _in_place(clusters: list[Cluster]) -> bool:
    """Nothing between clusters, and every header either true already or as long as ours (MediaRecorder's
    unknown sizes take 8 bytes): the source's run of clusters can be copied whole and its sizes fixed after."""
    return all(c.declared == c.end - c.data or c.data - c.start == CLUSTER_HEADER_LENGTH for c in clusters) and all(
        a.end == b.start for a, b in zip(clusters, clusters[1:], strict=False))


def _copy(source, target, offset: int, count: int) -> None:
    target.flush()  # copy_file_range writes at the descriptor's position, after what Python buffered
    while count > 0:
        try:
            done = os.copy_file_range(source.fileno(), target.fileno(), count, offset)
        except OSError:  # another filesystem kind, or an old kernel: through user space
            source.seek(offset)
            done = target.write(source.read(min(count, 8 << 20)))
            target.flush()
        if done <= 0:
            raise OSError("the source ended while it was copied")
        offset, count = offset + done, count - done


def _seek_head(info_at: int, tracks_at: int, cues_at: int) -> bytes:
    def seek(eid: int, at: int) -> bytes:
        return ebml.element(SEEK, ebml.element(SEEK_ID, ebml.encode_id(eid)) + ebml.uint(SEEK_POSITION, at, FIXED))
    return ebml.element(SEEK_HEAD, seek(INFO, info_at) + seek(TRACKS, tracks_at) + seek(CUES, cues_at))


def _cues(rec: Recording, cluster_at: list[int]) -> bytes:
    points = []
    for c, at in zip(rec.clusters, cluster_at, strict=True):
        for time, relative in c.cues:
            positions = (ebml.uint(CUE_TRACK, rec.cue_track) + ebml.uint(CUE_CLUSTER_POSITION, at, FIXED)
                         + ebml.uint(CUE_RELATIVE_POSITION, relative, FIXED))
            points.append(ebml.element(CUE_POINT, ebml.uint(CUE_TIME, time, FIXED)
                                       + ebml.element(CUE_TRACK_POSITIONS, positions)))
    return ebml.element(CUES, b"".join(points))
