"""The instant original of a browser recording without ffmpeg: the WebM's own clusters behind a new header.

MediaRecorder writes a WebM as it goes, so it has no Duration, no Cues and clusters of unknown size: a player
cannot tell its length or seek in it. ffmpeg's remux fixes that by reading and rewriting every packet, which
grows with the recording (1.2 s for 10 minutes on a busy 2-core machine) and needs an ffprobe first. Here one
pass reads only element headers (a few per second of video), then the output is a new header (EBML, SeekHead,
Info with the Duration, the source's Tracks, Cues for every keyframe) followed by the source's clusters, each
given its real size and copied byte for byte in the kernel. What plays is exactly what was recorded.

Anything this path is not sure of (another codec, several tracks of a kind, encryption, a VP9 profile other
than 0, lacing on video, a damaged cluster before the end) makes scan() answer None, and ingest remuxes with
ffmpeg as before. A file cut off inside its last element (a crashed tab) keeps every whole element before it.
"""
from __future__ import annotations

from media_worker.webm_original.scan import Cluster, NotRewritable, Recording, Track, scan
from media_worker.webm_original.write import write

__all__ = ["Cluster", "NotRewritable", "Recording", "Track", "scan", "write"]
