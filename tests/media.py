"""Test media generated on the spot with ffmpeg's lavfi sources: small, deterministic, no downloads."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

FF = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]


def _run(argv: list[str]) -> None:
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, timeout=300)


def _sources(size: str, seconds: float, rate: int | str, audio: bool, pattern: str = "testsrc2") -> list[str]:
    args = ["-f", "lavfi", "-i", f"{pattern}=size={size}:rate={rate}:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    return args


def h264_mp4(path: Path, *, size="320x240", seconds=3, rate=25, audio=True, extra: list[str] | None = None) -> Path:
    """H.264 + AAC in MP4: what a phone or a screen recorder usually uploads."""
    _run([*FF, *_sources(size, seconds, rate, audio), "-c:v", "libx264", "-preset", "ultrafast",
          "-pix_fmt", "yuv420p", *(["-c:a", "aac", "-b:a", "64k"] if audio else []), *(extra or []),
          "-shortest", str(path)])
    return path


def screen_recording_mp4(path: Path, *, seconds=60, size="1920x1080", rate=30) -> Path:
    """Screen-like content (test pattern with a moving clock) at 1080p30 for benchmarks."""
    _run([*FF, "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}",
          "-f", "lavfi", "-i", f"sine=frequency=300:sample_rate=48000:duration={seconds}",
          "-c:v", "libx264", "-preset", "ultrafast", "-crf", "28", "-pix_fmt", "yuv420p", "-c:a", "aac",
          "-shortest", str(path)])
    return path


def vp8_webm(path: Path, *, size="320x240", seconds=3, rate=25, audio=True) -> Path:
    """VP8 + Opus WebM, as Chrome's MediaRecorder records."""
    _run([*FF, *_sources(size, seconds, rate, audio), "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8",
          "-b:v", "500k", *(["-c:a", "libopus"] if audio else []), "-shortest", str(path)])
    return path


def mediarecorder_like_webm(path: Path, *, size="320x240", seconds=3, rate=25) -> Path:
    """A WebM muxed to a pipe: no Duration and no Cues, like a MediaRecorder recording."""
    with open(path, "wb") as out:
        subprocess.run([*FF, *_sources(size, seconds, rate, True), "-c:v", "libvpx", "-deadline", "realtime",
                        "-cpu-used", "8", "-b:v", "500k", "-c:a", "libopus", "-shortest", "-f", "webm", "pipe:1"],
                       check=True, stdout=out, stdin=subprocess.DEVNULL, timeout=300)
    return path


def chrome_like_webm(path: Path, *, seconds=3, audio=True, size="320x240") -> Path:
    """As Chrome's MediaRecorder writes: mediarecorder_like_webm with every Cluster (and the Segment) of unknown
    size, the 8-byte 0x01FF... marker a live muxer leaves, since it cannot go back to write sizes."""
    sized = path.with_name(path.stem + "-sized.webm")
    if audio:
        mediarecorder_like_webm(sized, seconds=seconds, size=size)
    else:
        _run([*FF, *_sources(size, seconds, 25, False), "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used",
              "8", "-b:v", "500k", "-f", "webm", str(sized)])
    data, out, pos = sized.read_bytes(), bytearray(), 0
    unknown = bytes.fromhex("01FFFFFFFFFFFFFF")
    while pos < len(data):
        eid_len = _vint_length(data[pos])
        size_len = _vint_length(data[pos + eid_len])
        size = int.from_bytes(data[pos + eid_len:pos + eid_len + size_len], "big") & ((1 << (7 * size_len)) - 1)
        eid = data[pos:pos + eid_len]
        if eid == bytes.fromhex("18538067"):  # Segment: keep walking its children
            out += eid + unknown
            pos += eid_len + size_len
            continue
        body = data[pos + eid_len + size_len:pos + eid_len + size_len + size]
        out += eid + (unknown if eid == bytes.fromhex("1F43B675") else data[pos + eid_len:pos + eid_len + size_len])
        out += body
        pos += eid_len + size_len + size
    sized.unlink()
    path.write_bytes(bytes(out))
    return path


def _vint_length(first: int) -> int:
    return 9 - first.bit_length()


def packets(path: Path | str) -> dict[str, list[tuple[str, str, str]]]:
    """(pts, size, flags) of every packet, by stream kind: what a player is handed."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "packet=codec_type,pts,size,flags:stream=index",
                          "-show_entries", "stream=codec_type", "-of", "json", str(path)], check=True,
                         capture_output=True, text=True, timeout=120).stdout
    data = json.loads(out)
    kinds = {i: s["codec_type"] for i, s in enumerate(data.get("streams", []))}
    result: dict[str, list[tuple[str, str, str]]] = {}
    for p in data.get("packets", []):
        result.setdefault(p.get("codec_type") or kinds.get(p.get("stream_index")), []).append(
            (p.get("pts"), p.get("size"), p.get("flags")))
    return result


def audio_only(path: Path, *, seconds=3, codec: list[str] | None = None) -> Path:
    _run([*FF, "-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=44100:duration={seconds}",
          *(codec or ["-c:a", "aac"]), str(path)])
    return path


def rotated_mp4(path: Path, *, size="320x240", seconds=2, rotate=90) -> Path:
    """A phone video: landscape pixels with a rotation tag saying 'show me in portrait'."""
    plain = path.with_name(path.stem + "-plain.mp4")
    h264_mp4(plain, size=size, seconds=seconds)
    _run([*FF, "-i", str(plain), "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}", str(path)])
    plain.unlink()
    return path


def vfr_mp4(path: Path, *, seconds=4) -> Path:
    """Variable frame rate: 10 fps then 30 fps, with a timebase of 1 ms."""
    _run([*FF, "-f", "lavfi", "-i", f"testsrc2=size=320x240:rate=30:duration={seconds}",
          "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
          "-vf", f"select='if(lt(t,{seconds / 2}),not(mod(n,3)),1)'", "-fps_mode", "vfr", "-video_track_timescale",
          "1000", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
          str(path)])
    return path


def hevc_mp4(path: Path, *, size="320x240", seconds=2) -> Path:
    _run([*FF, *_sources(size, seconds, 25, True), "-c:v", "libx265", "-preset", "ultrafast",
          "-x265-params", "log-level=error", "-tag:v", "hvc1", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
          str(path)])
    return path


def short_picture_long_sound(path: Path, *, picture=0.2, sound=6) -> Path:
    """The picture stops long before the sound: there is no frame at the usual poster time."""
    _run([*FF, "-f", "lavfi", "-i", f"testsrc2=size=320x240:rate=25:duration={picture}", "-f", "lavfi", "-i",
          f"sine=frequency=440:sample_rate=48000:duration={sound}", "-c:v", "libx264", "-preset", "ultrafast",
          "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)])
    return path


def truncated(src: Path, path: Path, *, keep: float = 0.5) -> Path:
    """The first part of a file, as an interrupted copy leaves it (like `head -c`)."""
    data = src.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def ffprobe(path: Path | str) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
                         check=True, capture_output=True, text=True, timeout=60).stdout
    return json.loads(out)


def count_frames(path: Path | str) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries",
                          "stream=nb_read_packets", "-of", "csv=p=0", str(path)],
                         check=True, capture_output=True, text=True, timeout=120).stdout
    return int(out.strip().split(",")[0])


def streams(path: Path | str, kind: str) -> list[dict]:
    return [s for s in ffprobe(path)["streams"] if s["codec_type"] == kind]
