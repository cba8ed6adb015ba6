"""ffprobe -> MediaInfo: streams chosen by type, duration and frame rate checked against the packets."""
from __future__ import annotations

import json
import os
from fractions import Fraction

from media_worker import commands
from media_worker.media_info import MediaInfo
from media_worker.sandbox import Limits, MediaError, run

__all__ = ["MediaInfo", "parse", "parse_header", "probe", "probe_header"]

MAX_SANE_FPS = 240


def _rate(text: str | None) -> float | None:
    try:
        value = float(Fraction(text or "0/0"))
    except (ValueError, ZeroDivisionError):
        return None
    return value if 0 < value <= MAX_SANE_FPS else None


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return int(round(float(side["rotation"]))) % 360
    tag = (stream.get("tags") or {}).get("rotate")
    try:
        return int(tag) % 360 if tag else 0
    except ValueError:
        return 0


def _sample_aspect(stream: dict) -> Fraction:
    """ffprobe's "num:den"; "0:1", "N/A" or nonsense mean square pixels."""
    num, _, den = str(stream.get("sample_aspect_ratio") or "").partition(":")
    try:
        sar = Fraction(int(num), int(den))
    except (ValueError, ZeroDivisionError):
        return Fraction(1)
    return sar if Fraction(1, 16) <= sar <= 16 else Fraction(1)


def _pick(streams: list[dict], kind: str) -> dict | None:
    for s in streams:
        if s.get("codec_type") != kind:
            continue
        if kind == "video" and (s.get("disposition") or {}).get("attached_pic"):
            continue  # cover art in audio files is not a video
        return s
    return None


def _packet_spans(text: str, wanted: set[int]) -> tuple[float | None, dict[int, int]]:
    """From `stream_index,pts_time,duration_time` lines: the media span and packets per stream."""
    lo, hi, counts = None, None, {}
    for line in text.splitlines():
        parts = line.split(",")
        if len(parts) < 2 or not parts[0].isdigit() or int(parts[0]) not in wanted:
            continue
        try:
            pts = float(parts[1])
        except ValueError:
            continue
        try:
            dur = float(parts[2]) if len(parts) > 2 else 0.0
        except ValueError:
            dur = 0.0
        idx = int(parts[0])
        counts[idx] = counts.get(idx, 0) + 1
        lo = pts if lo is None else min(lo, pts)
        hi = pts + dur if hi is None else max(hi, pts + dur)
    return (hi - lo if lo is not None and hi > lo else None), counts


def _streams_of(data: dict) -> tuple[dict | None, dict | None]:
    streams = data.get("streams") or []
    v, a = _pick(streams, "video"), _pick(streams, "audio")
    if v is not None and not (v.get("width") and v.get("height")):
        v = None  # a video stream nobody can decode the size of is as good as none
    if v is None and a is None:
        raise MediaError("This file has no video or audio we can read.", permanent=True)
    return v, a


def _header_duration(fmt: dict) -> float:
    try:
        return max(0.0, float(fmt.get("duration") or 0))
    except ValueError:
        return 0.0


def _info(fmt: dict, v: dict | None, a: dict | None, duration: float, fps: float | None,
          frames: int | None) -> MediaInfo:
    return MediaInfo(
        format_name=fmt.get("format_name", ""), duration=round(duration, 3), has_video=v is not None,
        has_audio=a is not None, video_index=v["index"] if v else None, audio_index=a["index"] if a else None,
        video_codec=v.get("codec_name") if v else None, audio_codec=a.get("codec_name") if a else None,
        width=int(v["width"]) if v else 0, height=int(v["height"]) if v else 0,
        rotation=_rotation(v) if v else 0, sample_aspect_ratio=_sample_aspect(v) if v else Fraction(1),
        fps=round(fps, 3) if fps else None, video_frames=frames,
        pix_fmt=v.get("pix_fmt") if v else None, audio_channels=a.get("channels") if a else None,
    )


def parse(probe_json: str, packets_csv: str) -> MediaInfo:
    """Pure: the two ffprobe outputs -> MediaInfo (or MediaError when there is nothing to play)."""
    data = json.loads(probe_json or "{}")
    fmt = data.get("format") or {}
    v, a = _streams_of(data)
    wanted = {s["index"] for s in (v, a) if s is not None}
    span, counts = _packet_spans(packets_csv, wanted)
    if not counts:
        raise MediaError("The file is truncated or corrupt: it holds no audio or video data.", permanent=True)
    # The packets are the truth: MediaRecorder writes no duration, Firefox writes 0, truncated MP4s claim more.
    duration = span if span else _header_duration(fmt)
    if duration <= 0:
        raise MediaError("The file is truncated or corrupt: it has no playable duration.", permanent=True)
    fps = frames = None
    if v is not None:
        frames = counts.get(v["index"])
        measured = frames / duration if frames and duration > 0 else None
        fps = _rate(v.get("avg_frame_rate"))
        if fps is None or (measured and not 0.5 < fps / measured < 2.0):
            fps = measured if measured and measured <= MAX_SANE_FPS else fps
    return _info(fmt, v, a, duration, fps, frames)


def parse_header(probe_json: str) -> MediaInfo:
    """Pure: the streams and format alone, without reading the packets. The duration is the header's (0 when
    it has none, as in a MediaRecorder WebM) and the frame rate is the stream's claim: enough to choose a
    remux and a poster, not to plan an encode."""
    data = json.loads(probe_json or "{}")
    fmt = data.get("format") or {}
    v, a = _streams_of(data)
    return _info(fmt, v, a, _header_duration(fmt), _rate(v.get("avg_frame_rate")) if v else None, None)


def _check_size(info: MediaInfo, limits: Limits) -> MediaInfo:
    if info.has_video and info.width * info.height > limits.max_pixels:
        raise MediaError(f"The picture ({info.width}x{info.height}) is larger than this server accepts.",
                         permanent=True)
    return info


def probe_header(path: str | os.PathLike, *, cwd: str | os.PathLike, limits: Limits,
                 should_stop=lambda: False) -> MediaInfo:
    """One ffprobe of the header: its cost does not grow with the file (the packet scan of probe() does)."""
    if os.path.getsize(path) == 0:
        raise MediaError("The uploaded file is empty.", permanent=True)
    header = run(commands.probe_streams(path, limits.max_pixels), cwd=cwd, limits=limits, what="ffprobe",
                 should_stop=should_stop)
    return _check_size(parse_header(header), limits)


def probe(path: str | os.PathLike, *, cwd: str | os.PathLike, limits: Limits, should_stop=lambda: False) -> MediaInfo:
    if os.path.getsize(path) == 0:
        raise MediaError("The uploaded file is empty.", permanent=True)
    header = run(commands.probe_streams(path, limits.max_pixels), cwd=cwd, limits=limits, what="ffprobe",
                 should_stop=should_stop)
    packets = run(commands.probe_packets(path, limits.max_pixels), cwd=cwd, limits=limits, what="ffprobe",
                  should_stop=should_stop)
    return _check_size(parse(header, packets), limits)
