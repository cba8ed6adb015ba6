"""Pure builders: (MediaInfo, profile, file names) -> ffmpeg/ffprobe argv or playlist text. Nothing runs here."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ffmpeg

from media_worker import profiles
from media_worker.profiles import Picture, StoryboardPlan

if TYPE_CHECKING:
    from media_worker.media_info import MediaInfo

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
# Global options go in front through compile(cmd=...): ffmpeg-python's .global_args() would put them after the
# last output, and this way the argv reads (and is checked by sandbox.check_sandboxed) as before.
BASE = [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
PROGRESS = ["-progress", "pipe:1", "-nostats"]
CLEAN_OUTPUT = {"map_metadata": "-1", "map_chapters": "-1"}  # phone videos carry GPS in their metadata
MP4_VIDEO_CODECS = "avc1.64002a"  # High profile, level 4.2: what libx264 signals for every rung here
AAC_CODEC = "mp4a.40.2"


def input_args(max_pixels: int) -> dict[str, str]:
    """Options that confine how ffmpeg and ffprobe open one input (see sandbox.check_sandboxed)."""
    return {"protocol_whitelist": "file,pipe", "format_whitelist": profiles.FORMAT_WHITELIST,
            "max_pixels": str(max_pixels)}


def _open(path: str | os.PathLike, max_pixels: int, trim: tuple[float, float] | None = None):
    # ffmpeg-python puts an input's keyword options right before its -i, which is where these must be.
    # A trim is an input seek: with a re-encode it is frame-accurate (ffmpeg decodes from the keyframe before
    # and drops what precedes -ss), and the output's timestamps start at 0.
    seek = {"ss": f"{trim[0]:.3f}", "to": f"{trim[1]:.3f}"} if trim else {}
    return ffmpeg.input(str(path), **seek, **input_args(max_pixels))


def _compile(*outputs, progress: bool = False) -> list[str]:
    return ffmpeg.merge_outputs(*outputs).compile(cmd=[*BASE, *(PROGRESS if progress else [])])


def _probe(path, max_pixels: int, *query: str) -> list[str]:
    # ffmpeg-python has no ffprobe graph: ffmpeg.probe() would run the process itself, outside the sandbox
    # (no limits, no budget, no cancellation). So the argv is plain, with the same confining options as ffmpeg.
    confine = [arg for key, value in sorted(input_args(max_pixels).items()) for arg in (f"-{key}", value)]
    return [FFPROBE, "-v", "error", "-hide_banner", *confine, *query, str(path)]


def probe_streams(path, max_pixels: int) -> list[str]:
    return _probe(path, max_pixels, "-show_format", "-show_streams", "-of", "json")


def probe_packets(path, max_pixels: int) -> list[str]:
    return _probe(path, max_pixels, "-show_entries", "packet=stream_index,pts_time,duration_time", "-of", "csv=p=0")


def count_video_packets(path, max_pixels: int) -> list[str]:
    return _probe(path, max_pixels, "-select_streams", "v:0", "-count_packets", "-show_entries",
                  "stream=nb_read_packets", "-of", "csv=p=0")


def _streams(info: MediaInfo, source) -> list:
    """The chosen video and audio streams of `source` (cover art and extra tracks left out)."""
    picked = [(info.has_video, info.video_index), (info.has_audio, info.audio_index)]
    return [source[str(index)] for present, index in picked if present]


def remux(info: MediaInfo, src, out: str, max_pixels: int) -> list[str]:
    """The instant original: copy the streams into a container browsers play, with an index up front."""
    container = info.instant_container
    if container == "mp4":
        fmt = {"format": "mp4", "movflags": "+faststart"}
    elif container == "webm":
        fmt = {"format": "webm", "cues_to_front": "1"}  # the muxer writes Duration and Cues MediaRecorder left out
    else:
        raise ValueError(f"{info.video_codec}/{info.audio_codec} cannot be copied into a browser container")
    return _compile(ffmpeg.output(*_streams(info, _open(src, max_pixels)), out, c="copy", **CLEAN_OUTPUT, **fmt))


def poster_time(duration: float) -> float:
    """A frame near 1 s, or at 10% of short clips, so the poster is rarely a black first frame."""
    return round(min(1.0, duration * 0.1), 3)


def _image(**options) -> dict[str, str]:
    """A single JPEG, rewritten in place; no metadata."""
    return {"format": "image2", "update": "1", "frames:v": "1", **CLEAN_OUTPUT, **options}


def poster(info: MediaInfo, src, out: str, max_pixels: int, width: int = 1280, at: float | None = None) -> list[str]:
    w, h = profiles.fit(info.display_width, info.display_height, min(720, info.display_height, info.display_width))
    if w > width:
        w, h = width, profiles.even(width * h / w)
    picture = _open(src, max_pixels)[str(info.video_index)].filter("scale", w, h).filter("setsar", 1)
    # -ss as an output option (after -i) decodes from the start: slower, but exact and safe without an index.
    return _compile(ffmpeg.output(picture, out, ss=str(poster_time(info.duration) if at is None else at),
                                  **_image(**{"q:v": "3"})))


def waveform(info: MediaInfo, src, out: str, max_pixels: int) -> list[str]:
    """Audio-only poster: the whole waveform as one picture."""
    wave = (_open(src, max_pixels)[str(info.audio_index)].filter("aformat", channel_layouts="mono")
            .filter("showwavespic", s="1280x720", colors="0x3b82f6").filter("format", "yuvj420p"))
    return _compile(ffmpeg.output(wave, out, **_image(**{"q:v": "3"})))


def audio_pcm(info: MediaInfo, src, out: str, max_pixels: int) -> list[str]:
    """The whole (untrimmed) audio as raw signed 16-bit mono PCM, for the waveform's peaks."""
    audio = _open(src, max_pixels)[str(info.audio_index)]
    return _compile(ffmpeg.output(audio, out, format="s16le", acodec="pcm_s16le", ac="1",
                                  ar=str(profiles.PEAKS_SAMPLE_RATE), **CLEAN_OUTPUT))


SPEECH_SAMPLE_RATE = 16_000  # what Whisper models hear


def speech_pcm(info: MediaInfo, src, out: str, max_pixels: int) -> list[str]:
    """The whole (untrimmed) audio as raw 16 kHz mono float PCM, what the speech model takes as it is."""
    audio = _open(src, max_pixels)[str(info.audio_index)]
    return _compile(ffmpeg.output(audio, out, format="f32le", acodec="pcm_f32le", ac="1", ar=str(SPEECH_SAMPLE_RATE),
                                  **CLEAN_OUTPUT), progress=True)


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


def plan_for(info: MediaInfo, duration: float | None = None) -> TranscodePlan:
    """`duration`: the length that will be encoded (a trim's kept part), the source's by default."""
    if not info.has_video:
        return TranscodePlan(pictures=[], storyboard=None)
    w, h = info.display_width, info.display_height
    length = info.duration if duration is None else duration
    return TranscodePlan(pictures=profiles.ladder_for(w, h), storyboard=profiles.storyboard_plan(length, w, h))


def _x264(pic: Picture, gop: int, threads: int) -> dict[str, str]:
    return {"c:v": "libx264", "preset": profiles.X264_PRESET, "crf": str(profiles.X264_CRF),
            "maxrate": f"{pic.video_kbps}k", "bufsize": f"{pic.video_kbps * 2}k", "profile:v": "high",
            "level:v": "4.2", "pix_fmt": "yuv420p",
            # Keyframes at the same frames in every rung (they all get the same frames from one split),
            # and at every segment boundary, so players can switch rungs between segments.
            "g": str(gop), "keyint_min": str(gop), "sc_threshold": "0",
            "force_key_frames": f"expr:gte(t,n_forced*{profiles.SEGMENT_SECONDS})",
            # Keep the source timestamps: a bogus 1000 fps header never multiplies frames.
            "fps_mode": "passthrough", "threads": str(threads)}


def _aac(info: MediaInfo) -> dict[str, str]:
    if not info.has_audio:
        return {}
    return {"c:a": "aac", "b:a": f"{profiles.AUDIO_KBPS}k", "ac": "2", "ar": str(profiles.AUDIO_RATE)}


def _hls(plan: TranscodePlan, name: str) -> dict[str, str]:
    return {"format": "hls", "hls_time": str(profiles.SEGMENT_SECONDS), "hls_playlist_type": "vod",
            "hls_list_size": "0", "hls_segment_filename": plan.segments(name)}


def video_branches(info: MediaInfo, plan: TranscodePlan, source) -> tuple[list, object | None]:
    """One decode, one split: every rung and the storyboard are fed from the same pictures.

    Each rung is scaled to its display size in square pixels (setsar=1): an anamorphic source would
    otherwise be stretched a second time by players that honour the sample aspect ratio."""
    picture = source[str(info.video_index)]
    if info.fps and info.fps > profiles.MAX_FPS:
        picture = picture.filter("fps", profiles.MAX_FPS)
    branches = len(plan.pictures) + (1 if plan.storyboard else 0)
    split = picture.split() if branches > 1 else None
    feeds = [split[i] for i in range(branches)] if split is not None else [picture]
    rungs = [feeds[i].filter("scale", pic.width, pic.height, flags="bicubic").filter("setsar", 1)
             .filter("format", "yuv420p") for i, pic in enumerate(plan.pictures)]
    thumbs = None
    if plan.storyboard:
        sb = plan.storyboard
        thumbs = (feeds[-1].filter("fps", fps=f"1/{sb.interval:.3f}", round="down", eof_action="pass")
                  .filter("scale", sb.thumb_width, sb.thumb_height).filter("setsar", 1))
    return rungs, thumbs


def transcode(info: MediaInfo, src, plan: TranscodePlan, max_pixels: int, threads: int = 0,
              trim: tuple[float, float] | None = None) -> list[str]:
    """The one encoding pass: progressive MP4 (also the top HLS rung), lower HLS rungs, the storyboard sheet;
    of the kept part [start, end] of the source when `trim` is given."""
    source = _open(src, max_pixels, trim)
    audio = [source[str(info.audio_index)]] if info.has_audio else []
    mp4 = {"movflags": "+faststart", "format": "mp4"}
    if not info.has_video:
        return _compile(ffmpeg.output(*audio, plan.mp4, vn=None, **_aac(info), **CLEAN_OUTPUT, **mp4), progress=True)
    gop = profiles.gop_frames(info.fps)
    rungs, thumbs = video_branches(info, plan, source)
    outputs = []
    for i, (pic, rung) in enumerate(zip(plan.pictures, rungs, strict=True)):
        options = {**_x264(pic, gop, threads), **_aac(info), **CLEAN_OUTPUT}
        if i == 0:
            outputs.append(ffmpeg.output(rung, *audio, plan.mp4, **options, **mp4))
        else:
            outputs.append(ffmpeg.output(rung, *audio, plan.playlist(pic.name), **options, **_hls(plan, pic.name)))
    if thumbs is not None:
        # Thumbnails go to a small intermediate file: a tiled image would only be written at the very end,
        # and ffmpeg reports no progress until every output has started.
        outputs.append(ffmpeg.output(thumbs, plan.thumbs, format="matroska", **{
            "frames:v": str(plan.storyboard.count), "c:v": "mjpeg", "q:v": "4"}, **CLEAN_OUTPUT))
    return _compile(*outputs, progress=True)


def storyboard_sheet(plan: TranscodePlan, max_pixels: int) -> list[str]:
    """Tile the thumbnails into one sprite sheet (a hundred 160-pixel pictures: a fraction of a second)."""
    sb = plan.storyboard
    sheet = _open(plan.thumbs, max_pixels).filter("tile", f"{sb.columns}x{sb.rows}").filter("setsar", 1)
    return _compile(ffmpeg.output(sheet, plan.storyboard_image, **_image(**{"q:v": "4"})))


def top_rung_name(plan: TranscodePlan) -> str:
    return plan.pictures[0].name if plan.pictures else "audio"


def segment_copy(plan: TranscodePlan, max_pixels: int) -> list[str]:
    """Cut the finished MP4 into the top HLS rung without re-encoding (keyframes are already aligned)."""
    # ffmpeg-python writes no -map for a whole lone input (ffmpeg would then keep one stream per kind):
    # "-map 0" is spelled as an output option so every stream of our own MP4 is kept.
    return _compile(ffmpeg.output(_open(plan.mp4, max_pixels), plan.playlist(top_rung_name(plan)), c="copy",
                                  map="0", **CLEAN_OUTPUT, **_hls(plan, top_rung_name(plan))))


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



def screen_changes(info: MediaInfo, src, printed: str, full: str, thumb: str, max_pixels: int, *, threshold: float,
                   fps: float = 2.0, max_width: int = 1600, thumb_width: int = 240, max_frames: int = 600) -> list[str]:
    """One pass over the video at `fps` pictures a second, decoded on one thread (a background job: CPU time
    matters more than wall time): the first picture and every one that differs from the one before by more
    than `threshold` are kept, their times printed to `printed` (the metadata filter) in the order of the
    numbered pictures: in grey at full size (capped) to read their text, and small in colour for the filmstrip."""
    w, h = profiles.fit(info.display_width, info.display_height, min(info.display_height, info.display_width))
    if w > max_width:
        w, h = max_width, profiles.even(max_width * h / w)
    # Two pictures a second need no frame that nothing refers to, and no deblocking: about half the decode.
    source = ffmpeg.input(str(src), threads="1", skip_frame="noref", skip_loop_filter="all", **input_args(max_pixels))
    picked = (source[str(info.video_index)].filter("fps", fps).filter("scale", w, h).filter("setsar", 1)
              .filter("select", f"eq(n,0)+gt(scene,{threshold})").filter("metadata", mode="print", file=printed)
              .split())
    keep = {"frames:v": str(max_frames), "fps_mode": "passthrough", **CLEAN_OUTPUT}
    return _compile(
        ffmpeg.output(picked[0].filter("format", "gray"), full, format="image2", **{"q:v": "2"}, **keep),
        ffmpeg.output(picked[1].filter("scale", thumb_width, profiles.even(thumb_width * h / w)), thumb,
                      format="image2", **{"q:v": "4"}, **keep), progress=True)
