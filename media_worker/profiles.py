"""The rendition ladder and encoding settings, as data; PRESET_VERSION names them in every output key."""
from __future__ import annotations

import math
from dataclasses import dataclass

# Bump whenever an output changes for the same source: outputs land under new keys, old ones stay valid.
PRESET_VERSION = "v2"  # v2: anamorphic sources are scaled to square pixels at their display size

SEGMENT_SECONDS = 4
MAX_FPS = 60
DEFAULT_FPS = 30
X264_PRESET = "veryfast"
X264_CRF = 23  # quality target; the per-rung maxrate caps busy scenes (screen content stays small)
AUDIO_KBPS = 128
AUDIO_RATE = 48000

STORYBOARD_THUMB_WIDTH = 160
STORYBOARD_MAX_THUMBS = 100
STORYBOARD_MIN_INTERVAL = 1.0
STORYBOARD_COLUMNS = 10

# The waveform the trim editor draws: peaks of the untrimmed audio, about 10 a second, never more than MAX_PEAKS.
PEAKS_SAMPLE_RATE = 8000  # enough for a loudness envelope; 16 KB of PCM per second
PEAKS_PER_SECOND = 10
MAX_PEAKS = 3000

# Input containers ffmpeg may open. Never hls, concat, image2, lavfi, subtitles or anything that names other
# files or devices: a playlist disguised as .webm would otherwise read arbitrary local files.
INPUT_FORMATS = ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "ogg", "avi", "flv", "mpegts", "mpeg", "asf",
                 "wav", "mp3", "aac", "flac", "caf", "m4v")
FORMAT_WHITELIST = ",".join(INPUT_FORMATS)


@dataclass(frozen=True)
class Rung:
    name: str
    short_side: int  # the picture's smaller dimension: 1080 for 1920x1080 and for a 1080x1920 portrait
    video_kbps: int  # maxrate; bufsize is twice this


LADDER = (
    Rung("1080p", 1080, 5000),
    Rung("720p", 720, 2800),
    Rung("480p", 480, 1400),
    Rung("360p", 360, 800),
)


@dataclass(frozen=True)
class Picture:
    """One rung as encoded: a Rung fitted to a source."""
    name: str
    width: int
    height: int
    video_kbps: int

    @property
    def bandwidth(self) -> int:
        return (self.video_kbps + AUDIO_KBPS) * 1000


def even(x: float) -> int:
    """The nearest even size (libx264 needs even sides), rounding halves down."""
    return max(2, int(math.ceil(x / 2 - 0.5)) * 2)


def fit(width: int, height: int, short_side: int) -> tuple[int, int]:
    """Scale (width, height) so the smaller side is `short_side`, both even, aspect kept."""
    if min(width, height) <= short_side:
        return max(2, width // 2 * 2), max(2, height // 2 * 2)  # never above the source
    k = short_side / min(width, height)
    return even(width * k), even(height * k)


def _bitrate_for(short: int) -> int:
    """Interpolate by pixel count for a top rung between the standard ones (e.g. a 900-line source)."""
    for rung in LADDER:
        if short >= rung.short_side:
            return max(300, int(rung.video_kbps * (short / rung.short_side) ** 1.5))
    return max(300, int(LADDER[-1].video_kbps * (short / LADDER[-1].short_side) ** 1.5))


def ladder_for(width: int, height: int) -> list[Picture]:
    """The rungs for a source of this display size: never above it; the first is the top rung."""
    short = min(width, height)
    top_short = min(short, LADDER[0].short_side)
    tw, th = fit(width, height, top_short)
    standard = {r.short_side: r for r in LADDER}
    top_rung = standard.get(min(tw, th))
    top = Picture(top_rung.name if top_rung else f"{min(tw, th)}p", tw, th,
                  top_rung.video_kbps if top_rung else _bitrate_for(min(tw, th)))
    rungs = [top]
    for rung in LADDER:
        if rung.short_side < min(tw, th):
            w, h = fit(width, height, rung.short_side)
            rungs.append(Picture(rung.name, w, h, rung.video_kbps))
    return rungs


def gop_frames(fps: float | None) -> int:
    return max(1, int(round(SEGMENT_SECONDS * min(fps or DEFAULT_FPS, MAX_FPS))))


@dataclass(frozen=True)
class StoryboardPlan:
    interval: float
    count: int
    columns: int
    rows: int
    thumb_width: int
    thumb_height: int


def storyboard_plan(duration: float, width: int, height: int) -> StoryboardPlan:
    interval = max(STORYBOARD_MIN_INTERVAL, duration / STORYBOARD_MAX_THUMBS)
    # A last sliver shorter than a quarter interval joins the previous thumbnail.
    count = max(1, min(STORYBOARD_MAX_THUMBS, math.ceil(max(0.0, duration - interval / 4) / interval)))
    columns = min(STORYBOARD_COLUMNS, count)
    thumb_h = even(STORYBOARD_THUMB_WIDTH * height / width)
    return StoryboardPlan(interval, count, columns, math.ceil(count / columns), STORYBOARD_THUMB_WIDTH, thumb_h)
