"""Pure builders: (MediaInfo, profile, file names) -> ffmpeg/ffprobe argv or playlist text. Nothing runs here."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from media_worker import profiles
from media_worker.profiles import Picture, StoryboardPlan

if TYPE_CHECKING:
    from media_worker.probe import MediaInfo

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
BASE = [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
PROGRESS = ["-progress", "pipe:1", "-nostats"]
CLEAN_OUTPUT = ["-map_metadata", "-1", "-map_chapters", "-1"]  # phone videos carry GPS in their metadata
MP4_VIDEO_CODECS = "avc1.64002a"  # High profile, level 4.2: what libx264 signals for every rung here
AAC_CODEC = "mp4a.40.2"


def input_args(path: str | os.PathLike, max_pixels: int) -> list[str]:
    """Options that confine how ffmpeg opens one input (see sandbox.check_sandboxed)."""
    return ["-protocol_whitelist", "file,pipe", "-format_whitelist", profiles.FORMAT_WHITELIST,
            "-max_pixels", str(max_pixels), "-i", str(path)]


def probe_streams(path, max_pixels: int) -> list[str]:
    return [FFPROBE, "-v", "error", "-hide_banner", "-protocol_whitelist", "file,pipe",
            "-format_whitelist", profiles.FORMAT_WHITELIST, "-max_pixels", str(max_pixels),
            "-show_format", "-show_streams", "-of", "json", str(path)]


def probe_packets(path, max_pixels: int) -> list[str]:
    return [FFPROBE, "-v", "error", "-hide_banner", "-protocol_whitelist", "file,pipe",
            "-format_whitelist", profiles.FORMAT_WHITELIST, "-max_pixels", str(max_pixels),
            "-show_entries", "packet=stream_index,pts_time,duration_time", "-of", "csv=p=0", str(path)]


def count_video_packets(path, max_pixels: int) -> list[str]:
    return [FFPROBE, "-v", "error", "-hide_banner", "-protocol_whitelist", "file,pipe",
            "-format_whitelist", profiles.FORMAT_WHITELIST, "-max_pixels", str(max_pixels), "-select_streams", "v:0",
            "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", str(path)]


def _stream_maps(info: MediaInfo) -> list[str]:
    maps = []
    if info.has_video:
        maps += ["-map", f"0:{info.video_index}"]
    if info.has_audio:
        maps += ["-map", f"0:{info.audio_index}"]
    return maps


def remux(info: MediaInfo, src, out: str, max_pixels: int) -> list[str]:
    """The instant original: copy the streams into a container browsers play, with an index up front."""
    container = info.instant_container
    if container == "mp4":
        fmt = ["-f", "mp4", "-movflags", "+faststart"]
    elif container == "webm":
        fmt = ["-f", "webm", "-cues_to_front", "1"]  # the muxer writes Duration and Cues MediaRecorder left out
    else:
        raise ValueError(f"{info.video_codec}/{info.audio_codec} cannot be copied into a browser container")
    return [*BASE, *input_args(src, max_pixels), *_stream_maps(info), "-c", "copy", *CLEAN_OUTPUT, *fmt, out]


def poster_time(duration: float) -> float:
    """A frame near 1 s, or at 10% of short clips, so the poster is rarely a black first frame."""
    return round(min(1.0, duration * 0.1), 3)


def poster(info: MediaInfo, src, out: str, max_pixels: int, width: int = 1280, at: float | None = None) -> list[str]:
    w, h = profiles.fit(info.display_width, info.display_height, min(720, info.display_height, info.display_width))
    if w > width:
        w, h = width, profiles.even(width * h / w)
    # Seeking after -i decodes from the start: slower, but exact and safe on files without an index.
    return [*BASE, *input_args(src, max_pixels), "-map", f"0:{info.video_index}", "-ss",
            str(poster_time(info.duration) if at is None else at),
            "-vf", f"scale={w}:{h}", "-frames:v", "1", "-q:v", "3", *CLEAN_OUTPUT, "-f", "image2",
            "-update", "1", out]


def waveform(info: MediaInfo, src, out: str, max_pixels: int) -> list[str]:
    """Audio-only poster: the whole waveform as one picture."""
    return [*BASE, *input_args(src, max_pixels), "-filter_complex",
            f"[0:{info.audio_index}]aformat=channel_layouts=mono,showwavespic=s=1280x720:colors=0x3b82f6,"
            "format=yuvj420p[w]", "-map", "[w]", "-frames:v", "1", "-q:v", "3", *CLEAN_OUTPUT, "-f", "image2",
            "-update", "1", out]


@dataclass(frozen=True)
class TranscodePlan:
    """What one transcode pass produces: file names are relative to the output directory (ffmpeg's cwd)."""
    pictures: list[Picture]
    storyboard: StoryboardPlan | None
    mp4: str = "video.mp4"
    master: str = "master.m3u8"
    storyboard_image: str = "storyboard.jpg"
    storyboard_vtt: str = "storyboard.vtt"
    thumbs: str = "thumbs.mkv"  # intermediate, not uploaded

    def playlist(self, name: str) -> str:
        return f"{name}.m3u8"

    def segments(self, name: str) -> str:
        return f"{name}_%04d.ts"


def plan_for(info: MediaInfo) -> TranscodePlan:
    if not info.has_video:
        return TranscodePlan(pictures=[], storyboard=None)
    w, h = info.display_width, info.display_height
    return TranscodePlan(pictures=profiles.ladder_for(w, h), storyboard=profiles.storyboard_plan(info.duration, w, h))


def _x264(pic: Picture, gop: int, threads: int) -> list[str]:
    return ["-c:v", "libx264", "-preset", profiles.X264_PRESET, "-crf", str(profiles.X264_CRF),
            "-maxrate", f"{pic.video_kbps}k", "-bufsize", f"{pic.video_kbps * 2}k", "-profile:v", "high",
            "-level:v", "4.2", "-pix_fmt", "yuv420p",
            # Keyframes at the same frames in every rung (they all get the same frames from one split),
            # and at every segment boundary, so players can switch rungs between segments.
            "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
            "-force_key_frames", f"expr:gte(t,n_forced*{profiles.SEGMENT_SECONDS})",
            # Keep the source timestamps: a bogus 1000 fps header never multiplies frames.
            "-fps_mode", "passthrough", "-threads", str(threads)]


def _aac(info: MediaInfo) -> list[str]:
    if not info.has_audio:
        return []
    return ["-map", f"0:{info.audio_index}", "-c:a", "aac", "-b:a", f"{profiles.AUDIO_KBPS}k", "-ac", "2",
            "-ar", str(profiles.AUDIO_RATE)]


def _hls(plan: TranscodePlan, name: str) -> list[str]:
    return ["-f", "hls", "-hls_time", str(profiles.SEGMENT_SECONDS), "-hls_playlist_type", "vod",
            "-hls_list_size", "0", "-hls_segment_filename", plan.segments(name), plan.playlist(name)]


def video_filters(info: MediaInfo, plan: TranscodePlan) -> str:
    """One decode, one split: every rung and the storyboard are fed from the same pictures."""
    head = f"[0:{info.video_index}]"
    if info.fps and info.fps > profiles.MAX_FPS:
        head += f"fps={profiles.MAX_FPS},"
    branches = len(plan.pictures) + (1 if plan.storyboard else 0)
    labels = "".join(f"[s{i}]" for i in range(branches))
    graph = [f"{head}split={branches}{labels}" if branches > 1 else f"{head}null[s0]"]
    for i, pic in enumerate(plan.pictures):
        graph.append(f"[s{i}]scale={pic.width}:{pic.height}:flags=bicubic,setsar=1,format=yuv420p[v{i}]")
    if plan.storyboard:
        sb = plan.storyboard
        graph.append(f"[s{len(plan.pictures)}]fps=1/{sb.interval:.3f}:round=down:eof_action=pass,"
                     f"scale={sb.thumb_width}:{sb.thumb_height},setsar=1[sb]")
    return ";".join(graph)


def transcode(info: MediaInfo, src, plan: TranscodePlan, max_pixels: int, threads: int = 0) -> list[str]:
    """The one encoding pass: progressive MP4 (also the top HLS rung), lower HLS rungs, the storyboard sheet."""
    argv = [*BASE, *PROGRESS, *input_args(src, max_pixels)]
    if not info.has_video:
        return [*argv, *_aac(info), "-vn", *CLEAN_OUTPUT, "-movflags", "+faststart", "-f", "mp4", plan.mp4]
    gop = profiles.gop_frames(info.fps)
    argv += ["-filter_complex", video_filters(info, plan)]
    for i, pic in enumerate(plan.pictures):
        argv += ["-map", f"[v{i}]", *_x264(pic, gop, threads), *_aac(info), *CLEAN_OUTPUT]
        if i == 0:
            argv += ["-movflags", "+faststart", "-f", "mp4", plan.mp4]
        else:
            argv += _hls(plan, pic.name)
    if plan.storyboard:
        # Thumbnails go to a small intermediate file: a tiled image would only be written at the very end,
        # and ffmpeg reports no progress until every output has started.
        argv += ["-map", "[sb]", "-frames:v", str(plan.storyboard.count), "-c:v", "mjpeg", "-q:v", "4",
                 *CLEAN_OUTPUT, "-f", "matroska", plan.thumbs]
    return argv


def storyboard_sheet(plan: TranscodePlan, max_pixels: int) -> list[str]:
    """Tile the thumbnails into one sprite sheet (a hundred 160-pixel pictures: a fraction of a second)."""
    sb = plan.storyboard
    return [*BASE, *input_args(plan.thumbs, max_pixels), "-vf", f"tile={sb.columns}x{sb.rows}", "-frames:v", "1",
            "-q:v", "4", *CLEAN_OUTPUT, "-f", "image2", "-update", "1", plan.storyboard_image]


def top_rung_name(plan: TranscodePlan) -> str:
    return plan.pictures[0].name if plan.pictures else "audio"


def segment_copy(plan: TranscodePlan, max_pixels: int) -> list[str]:
    """Cut the finished MP4 into the top HLS rung without re-encoding (keyframes are already aligned)."""
    return [*BASE, *input_args(plan.mp4, max_pixels), "-map", "0", "-c", "copy", *CLEAN_OUTPUT,
            *_hls(plan, top_rung_name(plan))]


def master_playlist(plan: TranscodePlan, has_audio: bool) -> str:
    """The HLS master: every rung with its bandwidth, resolution and codecs; URIs relative to the master."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    if not plan.pictures:
        bw = profiles.AUDIO_KBPS * 1000
        lines += [f'#EXT-X-STREAM-INF:BANDWIDTH={bw},CODECS="{AAC_CODEC}"', plan.playlist("audio")]
    codecs = MP4_VIDEO_CODECS + (f",{AAC_CODEC}" if has_audio else "")
    for pic in plan.pictures:
        lines += [f'#EXT-X-STREAM-INF:BANDWIDTH={pic.bandwidth},RESOLUTION={pic.width}x{pic.height},'
                  f'CODECS="{codecs}"', plan.playlist(pic.name)]
    return "\n".join(lines) + "\n"


def _ts(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def storyboard_vtt(plan: StoryboardPlan, duration: float, image: str, made: int | None = None) -> str:
    """WebVTT thumbnails track: each cue names its tile of the sprite sheet by a relative URL and #xywh.

    `made`: thumbnails actually produced (fewer when the picture stops early); the last one stays shown
    until the end."""
    count = plan.count if made is None else max(1, min(plan.count, made))
    lines = ["WEBVTT", ""]
    for i in range(count):
        start = i * plan.interval
        if start >= duration:
            break
        end = duration if i == count - 1 else min(duration, (i + 1) * plan.interval)
        x, y = (i % plan.columns) * plan.thumb_width, (i // plan.columns) * plan.thumb_height
        lines += [f"{_ts(start)} --> {_ts(end)}", f"{image}#xywh={x},{y},{plan.thumb_width},{plan.thumb_height}", ""]
    return "\n".join(lines)
