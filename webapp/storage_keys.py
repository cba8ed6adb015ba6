"""Every storage key Parley writes, built in one place so the layout is written down once.

    sources/<video>/original                                  an upload as it arrived; never served
    renditions/<video>/                                       everything served for a video (/v/<id>/media/...)
    renditions/<video>/<source sha1[:12]>-<preset version>/   one processing run's outputs (and waveform.json,
                                                              the untrimmed source's audio peaks)
    renditions/<video>/<sha1[:12]>-<preset>-trim<ms>-<ms>/    a trim's outputs, beside the untrimmed ones
    renditions/<video>/instant-<source version>/              the instant original, named before the checksum
                                                              is known (storage.version: inode/size/mtime, ETag)
    attachments/<page>/<attachment>/<safe name>               files attached to wiki pages
"""
from __future__ import annotations


def source(video_id: str) -> str:
    return f"sources/{video_id}/original"


def source_prefix(video_id: str) -> str:
    return f"sources/{video_id}/"


def renditions(video_id: str) -> str:
    """The prefix of everything the app serves for a video."""
    return f"renditions/{video_id}/"


def rendition_run(video_id: str, source_sha1: str, preset_version: str) -> str:
    """Outputs of one (source, preset) pair: a retry overwrites the same keys, a new preset writes beside them."""
    return f"{renditions(video_id)}{source_sha1[:12]}-{preset_version}/"


def instant_run(video_id: str, source_version: str) -> str:
    """The instant original's folder: a function of the stored source's version, which costs a stat (the checksum
    costs a read of the whole file, and the original should not wait for it). A retry of the same source
    overwrites it; a new source writes beside it."""
    return f"{renditions(video_id)}instant-{source_version[:48]}/"


def trimmed_run(run_prefix: str, start: float, end: float) -> str:
    """A trim's outputs sit beside the untrimmed ones (never overwriting what plays now); a retry of the same trim
    overwrites its own."""
    return f"{run_prefix.rstrip('/')}-trim{round(start * 1000)}-{round(end * 1000)}/"


def attachments(page_id: int) -> str:
    return f"attachments/{page_id}/"


def attachment(page_id: int, attachment_id: int, safe_name: str) -> str:
    return f"{attachments(page_id)}{attachment_id}/{safe_name}"


def screen_image(video_id: str, source_sha1: str, number: int) -> str:
    """A filmstrip picture: one per distinct screen of a source, beside its renditions (served like them)."""
    return f"{renditions(video_id)}screens-{source_sha1[:12]}/{number:03d}.jpg"
