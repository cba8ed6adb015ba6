"""MediaInfo: what probing found out about a file, in the terms the command builders need (a leaf module)."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class MediaInfo:
    format_name: str
    duration: float
    has_video: bool
    has_audio: bool
    video_index: int | None = None
    audio_index: int | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    width: int = 0  # coded size; display_* apply the sample aspect ratio, then the rotation
    height: int = 0
    rotation: int = 0  # degrees the player turns the picture (0, 90, 180, 270); 90 and 270 swap the sides
    # Width of one pixel over its height: 4/3 for a 480x480 DV-style picture shown at 640x480.
    sample_aspect_ratio: Fraction = Fraction(1)
    fps: float | None = None
    video_frames: int | None = None
    pix_fmt: str | None = None
    audio_channels: int | None = None

    @property
    def _square_width(self) -> int:
        """The coded width stretched to square pixels (players stretch the width, keeping the lines)."""
        return max(1, round(self.width * self.sample_aspect_ratio)) if self.width else 0

    @property
    def display_width(self) -> int:
        return self.height if self.rotation in (90, 270) else self._square_width

    @property
    def display_height(self) -> int:
        return self._square_width if self.rotation in (90, 270) else self.height

    @property
    def instant_container(self) -> str | None:
        """'mp4' or 'webm' when a stream copy into that container plays in browsers; else None."""
        v, a = self.video_codec, self.audio_codec
        if not (self.has_video or self.has_audio):
            return None
        if v in (None, "h264") and a in (None, "aac") and self.pix_fmt in (None, "yuv420p", "yuvj420p"):
            return "mp4"
        if v in (None, "vp8", "vp9") and a in (None, "opus", "vorbis") and self.pix_fmt in (None, "yuv420p"):
            return "webm"
        return None
