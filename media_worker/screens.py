"""SCREENS (long queue, after the video plays): the distinct screens of a recording and the text on each (OCR).

A screen recording is mostly still pictures that change when the speaker moves to another slide, page or window.
One sandboxed ffmpeg pass, decoding on one thread and looking at two pictures a second, keeps the pictures that
differ from the one before (in grey at full size to read, small for the filmstrip) with their times; tesseract
reads the settled picture of each change. A screen that reads like the one before (a
cursor moved, a video played inside the slide) is folded into it. No tesseract here is not a failure of the
video: the scan says so and the video plays on.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from media_worker import commands, probe
from media_worker.context import JobContext
from media_worker.ingest import _materialize
from webapp import storage_keys
from webapp.adapters.storage import storage
from webapp.services import screens

log = logging.getLogger(__name__)

SCENE_THRESHOLD = 0.02  # one changed line of big text scores ~0.05 at 320 px; encoder noise stays under 0.001
MIN_GAP = 1.0  # changes closer than this are one transition (a fade, a slide building up)
MAX_SCREENS = 200
MIN_CONFIDENCE = 60
OCR_TIMEOUT = 60  # seconds for one picture; a picture tesseract cannot read in a minute has no text for us
SAME_PICTURE = 2.0  # mean difference (0-255) of two filmstrip pictures below which they show the same screen
DETECT_SPAN = (0.0, 0.3)


class OcrUnavailable(Exception):
    """No OCR engine (or not the languages asked for) here; the message says which, in words."""


@dataclass
class Reading:
    start: float
    end: float
    text: str
    heading: str
    thumb: Path | None


def ocr_engine(langs: str):
    """pytesseract, once the tesseract binary and every language asked for are known to be here."""
    try:
        import pytesseract
    except ImportError as e:
        raise OcrUnavailable("Text on screen cannot be read here: the pytesseract package is not installed.") from e
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise OcrUnavailable("Text on screen cannot be read here: tesseract is not installed on the worker "
                             "(apt-get install tesseract-ocr tesseract-ocr-eng), then read the screens again.")
    try:
        have = set(pytesseract.get_languages(config=""))
    except Exception as e:  # a broken installation: the same answer for the person as a missing one
        raise OcrUnavailable(f"Text on screen cannot be read here: tesseract does not run ({str(e)[:200]}).") from e
    missing = [lang for lang in langs.split("+") if lang and lang not in have]
    if missing:
        raise OcrUnavailable(f"Text on screen cannot be read here: tesseract has no {', '.join(missing)} "
                             f"(install tesseract-ocr-{missing[0]} or change PARLEY_OCR_LANGS).")
    return pytesseract


def groups(text: str, duration: float) -> list[tuple[float, int]]:
    """(start, picture number) per distinct screen from the metadata filter's print, the nth time being the nth
    picture (numbered from 1): changes within MIN_GAP of a screen's start are one transition, shown by its last
    picture (the settled one); at most MAX_SCREENS."""
    out: list[tuple[float, int]] = []
    for n, m in enumerate(re.finditer(r"pts_time:([0-9.]+)", text), start=1):
        t = float(m.group(1))
        if out and t - out[-1][0] < MIN_GAP:
            out[-1] = (out[-1][0], n)
        elif not out or not duration or t < duration - 0.2:
            if len(out) >= MAX_SCREENS:
                break
            out.append((0.0 if not out else t, n))
    return out


def read_text(engine, image: Path, langs: str) -> tuple[str, str]:
    """(the lines read, the line of the tallest words): words tesseract is sure of (conf >= MIN_CONFIDENCE)."""
    data = engine.image_to_data(str(image), lang=langs, timeout=OCR_TIMEOUT, output_type=engine.Output.DICT)
    lines: dict[tuple, list[tuple[str, int]]] = {}
    for word, conf, height, *where in zip(data["text"], data["conf"], data["height"], data["block_num"],
                                          data["par_num"], data["line_num"], strict=True):
        if word.strip() and float(conf) >= MIN_CONFIDENCE:
            lines.setdefault(tuple(where), []).append((word.strip(), int(height)))
    texts = [(" ".join(w for w, _ in words), sorted(h for _, h in words)[len(words) // 2])
             for words in lines.values()]
    heading = max(texts, key=lambda t: t[1])[0] if texts else ""
    return "\n".join(t for t, _ in texts), heading


def _same_picture(a: Path | None, b: Path | None) -> bool:
    if a is None or b is None:
        return False
    from PIL import Image, ImageChops, ImageStat

    with Image.open(a) as one, Image.open(b) as two:
        if one.size != two.size:
            return False
        diff = ImageChops.difference(one.convert("L"), two.convert("L"))
        return ImageStat.Stat(diff).mean[0] < SAME_PICTURE


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def run(ctx: JobContext) -> None:
    langs = current_app.config["OCR_LANGS"]
    ctx.progress(0.0, "Finding the screens")
    try:
        engine = ocr_engine(langs)
    except OcrUnavailable as e:
        log.warning("video %s: %s", ctx.video_id, e)
        return screens.unavailable(ctx.lease, ctx.video_id, str(e))
    os.environ["OMP_THREAD_LIMIT"] = "1"  # tesseract's threads fight the worker's other job for two cores
    video = ctx.video()
    src = _materialize(ctx)
    info = probe.probe_header(src, cwd=ctx.out, limits=ctx.limits, should_stop=ctx.should_stop)
    if not info.has_video:
        return screens.finish(ctx.lease, ctx.video_id, [])
    duration = video.source_duration or info.duration or video.duration or 0.0
    readings = read_screens(ctx, engine, langs, find_screens(ctx, info, src, duration), duration)
    _store(ctx, video.source_sha1 or "unknown", readings)


def find_screens(ctx: JobContext, info, src, duration: float) -> list[tuple[float, Path, Path]]:
    """(start, picture to read, filmstrip picture) per distinct screen, from one pass over the video."""
    ctx.run(commands.screen_changes(info, src, "changes.txt", "full%04d.jpg", "thumb%04d.jpg", ctx.limits.max_pixels,
                                    threshold=SCENE_THRESHOLD),
            stage="Finding the screens", media_seconds=duration or None, span=DETECT_SPAN)
    printed = ctx.out / "changes.txt"
    found = []
    for start, n in groups(printed.read_text() if printed.is_file() else "", duration):
        full, thumb = ctx.out / f"full{n:04d}.jpg", ctx.out / f"thumb{n:04d}.jpg"
        if full.is_file():
            found.append((start, full, thumb))
    return found


def read_screens(ctx: JobContext, engine, langs: str, found: list[tuple[float, Path, Path]],
                 duration: float) -> list[Reading]:
    """Read each screen's picture unless it looks like the screen before; screens that read alike are one."""
    readings: list[Reading] = []
    for i, (start, full, thumb) in enumerate(found):
        ctx.check()
        end = found[i + 1][0] if i + 1 < len(found) else duration
        picture = thumb if thumb.is_file() else None
        previous = readings[-1] if readings else None
        if previous is not None and _same_picture(previous.thumb, picture):
            previous.end = end  # the same screen: no need to read it again
        else:
            text, heading = _ocr(ctx, engine, full, langs)
            if previous is not None and text and _words(text) == _words(previous.text):
                previous.end = end
            else:
                readings.append(Reading(start, end, text, heading, picture))
        ctx.progress(DETECT_SPAN[1] + (0.95 - DETECT_SPAN[1]) * (i + 1) / len(found), "Reading the screens",
                     force=False)
    return readings


def _ocr(ctx: JobContext, engine, image: Path, langs: str) -> tuple[str, str]:
    try:
        return read_text(engine, image, langs)
    except RuntimeError as e:  # pytesseract's timeout: this one picture stays without text
        log.info("video %s: OCR gave up on %s: %s", ctx.video_id, image.name, e)
        return "", ""


def _store(ctx: JobContext, sha1: str, readings: list[Reading]) -> None:
    found = []
    for n, r in enumerate(readings):
        key = None
        if r.thumb is not None:
            key = storage_keys.screen_image(ctx.video_id, sha1, n)
            storage().put_file(key, r.thumb)
        found.append(screens.Found(start=r.start, end=r.end, text=r.text, heading=r.heading, image_key=key))
    ctx.check()
    log.info("video %s: %d screens, %d with text", ctx.video_id, len(found), sum(1 for f in found if f.text))
    screens.finish(ctx.lease, ctx.video_id, found)
