"""The pure builders and parsers, without running ffmpeg: ladders, argv, playlists, probe parsing, classification."""
from __future__ import annotations

import json
import re

import pytest

from media_worker import commands, profiles
from media_worker.probe import MediaInfo, parse
from media_worker.sandbox import MediaError, check_sandboxed, classify

MAX_PIXELS = 8192 * 8192


def info(**kw) -> MediaInfo:
    base = dict(format_name="mov,mp4,m4a,3gp,3g2,mj2", duration=10.0, has_video=True, has_audio=True,
                video_index=0, audio_index=1, video_codec="h264", audio_codec="aac", width=1920, height=1080,
                fps=30.0, video_frames=300, pix_fmt="yuv420p", audio_channels=2)
    base.update(kw)
    return MediaInfo(**base)


def test_ladder_never_goes_above_the_source_and_keeps_even_sizes():
    assert [(p.name, p.width, p.height) for p in profiles.ladder_for(1920, 1080)] == [
        ("1080p", 1920, 1080), ("720p", 1280, 720), ("480p", 854, 480), ("360p", 640, 360)]
    assert [p.name for p in profiles.ladder_for(1280, 720)] == ["720p", "480p", "360p"]
    assert [(p.width, p.height) for p in profiles.ladder_for(3840, 2160)][0] == (1920, 1080)
    odd = profiles.ladder_for(321, 241)
    assert [(p.width, p.height) for p in odd] == [(320, 240)]  # even, and never above the source
    portrait = profiles.ladder_for(1080, 1920)
    assert [(p.width, p.height) for p in portrait][:2] == [(1080, 1920), (720, 1280)]
    between = profiles.ladder_for(1440, 900)
    assert between[0].name == "900p" and 2800 < between[0].video_kbps < 5000
    for w, h in [(1920, 1080), (321, 241), (1080, 1920), (1440, 900), (99, 77)]:
        assert all(p.width % 2 == 0 and p.height % 2 == 0 for p in profiles.ladder_for(w, h))


FLAGS = {"-vn", "-nostdin", "-hide_banner", "-y", "-nostats"}


def outputs(argv: list[str]) -> list[tuple[str, dict[str, str], list[str]]]:
    """(file name, options, -map values) of every output, in argv order: what ffmpeg will write."""
    pos = max(i for i, a in enumerate(argv) if a == "-i") + 2
    found, opts, maps = [], {}, []
    while pos < len(argv):
        arg = argv[pos]
        if arg in FLAGS:
            opts[arg], pos = None, pos + 1
        elif arg.startswith("-"):
            if arg == "-map":
                maps.append(argv[pos + 1])
            elif arg != "-filter_complex":
                assert arg not in opts, f"{arg} given twice to one output"
                opts[arg] = argv[pos + 1]
            pos += 2
        else:
            found.append((arg, opts, maps))
            opts, maps, pos = {}, [], pos + 1
    return found


def test_transcode_is_one_pass_that_splits_every_rung_and_the_storyboard():
    i = info()
    plan = commands.plan_for(i)
    argv = commands.transcode(i, "/in/source", plan, MAX_PIXELS)
    assert argv.count("-i") == 1 and argv.count("libx264") == 4  # one decode, four encodes
    graph = argv[argv.index("-filter_complex") + 1]
    assert "split=5" in graph and graph.startswith("[0:0]")
    assert "scale=1920:1080" in graph and "scale=640:360" in graph and "fps=1/1.000" in graph
    assert graph.count("setsar=1") == 5  # square pixels on every rung and the storyboard
    outs = outputs(argv)
    assert [name for name, _, _ in outs] == [plan.mp4, "720p.m3u8", "480p.m3u8", "360p.m3u8", plan.thumbs]
    name, mp4, maps = outs[0]  # the top rung is the MP4
    assert (mp4["-f"], mp4["-movflags"], maps[1:]) == ("mp4", "+faststart", ["0:1"])
    assert "1080p.m3u8" not in argv  # top HLS rung is cut from the MP4 later
    for _, opts, maps in outs[:4]:
        assert (opts["-g"], opts["-keyint_min"], opts["-sc_threshold"]) == ("120", "120", "0")
        assert opts["-fps_mode"] == "passthrough" and opts["-c:v"] == "libx264" and opts["-c:a"] == "aac"
        assert maps[0].startswith("[") and maps[1] == "0:1"  # a split branch, and the chosen audio
    assert all(opts["-f"] == "hls" for _, opts, _ in outs[1:4])
    assert outs[1][1]["-hls_segment_filename"] == "720p_%04d.ts"
    assert len({maps[0] for _, _, maps in outs}) == 5  # every output has its own branch of the split
    assert argv.count("-map_metadata") == 5
    assert "-progress" in argv and "pipe:1" in argv
    check_sandboxed(argv)


def test_frame_rate_is_capped_only_when_it_really_is_above_60():
    def graph(fps):
        argv = commands.transcode(info(fps=fps), "s", commands.plan_for(info(fps=fps)), MAX_PIXELS)
        return argv[argv.index("-filter_complex") + 1]

    assert graph(120.0).startswith("[0:0]fps=60[")
    assert "fps=60" not in graph(30.0) and graph(30.0).startswith("[0:0]split=")


def test_audio_only_transcode_makes_an_aac_mp4_and_an_audio_playlist():
    i = info(has_video=False, video_index=None, video_codec=None, width=0, height=0, fps=None, audio_index=0)
    plan = commands.plan_for(i)
    argv = commands.transcode(i, "/in/source", plan, MAX_PIXELS)
    assert "-vn" in argv and "libx264" not in argv and "aac" in argv
    assert commands.segment_copy(plan, MAX_PIXELS)[-1] == "audio.m3u8"
    master = commands.master_playlist(plan, has_audio=True)
    assert master.splitlines()[-1] == "audio.m3u8" and "RESOLUTION" not in master


def test_master_playlist_lists_rungs_with_relative_uris():
    plan = commands.plan_for(info(width=1280, height=720))
    master = commands.master_playlist(plan, has_audio=True)
    assert master.startswith("#EXTM3U\n")
    assert re.findall(r"RESOLUTION=(\S+?),", master) == ["1280x720", "854x480", "640x360"]
    assert [ln for ln in master.splitlines() if not ln.startswith("#")] == ["720p.m3u8", "480p.m3u8", "360p.m3u8"]
    assert 'CODECS="avc1.64002a,mp4a.40.2"' in master
    assert "avc1.64002a\"" in commands.master_playlist(commands.plan_for(info(has_audio=False)), has_audio=False)


def test_storyboard_vtt_tiles_the_sheet_and_covers_the_whole_duration():
    plan = profiles.storyboard_plan(25.0, 1920, 1080)
    vtt = commands.storyboard_vtt(plan, 25.0, "storyboard.jpg")
    cues = re.findall(r"(\S+) --> (\S+)\n(\S+)", vtt)
    assert vtt.startswith("WEBVTT\n") and len(cues) == 25
    assert cues[0] == ("00:00:00.000", "00:00:01.000", "storyboard.jpg#xywh=0,0,160,90")
    assert cues[11][2] == "storyboard.jpg#xywh=160,90,160,90"
    assert cues[-1][1] == "00:00:25.000"
    few = re.findall(r"(\S+) --> (\S+)\n(\S+)", commands.storyboard_vtt(plan, 25.0, "storyboard.jpg", made=2))
    assert [c[:2] for c in few] == [("00:00:00.000", "00:00:01.000"), ("00:00:01.000", "00:00:25.000")]
    long = profiles.storyboard_plan(3600.0, 1280, 720)
    assert long.count == 100 and long.interval == 36.0 and long.rows == 10


def test_remux_copies_into_a_container_the_browser_plays():
    mp4 = commands.remux(info(), "/in/s", "original.mp4", MAX_PIXELS)
    assert ["-c", "copy"] == mp4[mp4.index("-c"):mp4.index("-c") + 2] and "+faststart" in mp4
    webm = info(format_name="matroska,webm", video_codec="vp8", audio_codec="opus")
    argv = commands.remux(webm, "/in/s", "original.webm", MAX_PIXELS)
    assert argv[argv.index("-f", argv.index("-i")) + 1] == "webm" and "-cues_to_front" in argv
    assert info(video_codec="hevc").instant_container is None
    assert info(pix_fmt="yuv420p10le").instant_container is None
    with pytest.raises(ValueError):
        commands.remux(info(video_codec="hevc"), "/in/s", "original.mp4", MAX_PIXELS)


def every_builder(i: MediaInfo, max_pixels: int) -> dict[str, list[str]]:
    plan = commands.plan_for(i)
    audio = info(has_video=False, video_index=None, video_codec=None, width=0, height=0, fps=None, audio_index=0)
    return {
        "remux": commands.remux(i, "s", "o.mp4", max_pixels), "poster": commands.poster(i, "s", "p.jpg", max_pixels),
        "waveform": commands.waveform(i, "s", "w.jpg", max_pixels),
        "transcode": commands.transcode(i, "s", plan, max_pixels),
        "transcode audio": commands.transcode(audio, "s", commands.plan_for(audio), max_pixels),
        "storyboard_sheet": commands.storyboard_sheet(plan, max_pixels),
        "segment_copy": commands.segment_copy(plan, max_pixels),
        "probe_streams": commands.probe_streams("s", max_pixels),
        "probe_packets": commands.probe_packets("s", max_pixels),
        "count_video_packets": commands.count_video_packets("s", max_pixels),
    }


def test_every_input_is_confined_by_whitelists():
    i = info()
    for what, argv in every_builder(i, 100).items():
        check_sandboxed(argv)
        # The options that confine an input are the ones right before its -i (ffprobe: before the path).
        pos = argv.index("-i") if argv[0] == "ffmpeg" else len(argv) - 1
        assert argv.count("-i") <= 1, what
        before = argv[:pos]
        opt = {before[k]: before[k + 1] for k in range(len(before) - 1) if before[k].startswith("-")}
        assert opt["-protocol_whitelist"] == "file,pipe", what
        assert opt["-format_whitelist"] == profiles.FORMAT_WHITELIST, what
        assert "hls" not in opt["-format_whitelist"].split(",") and "lavfi" not in opt["-format_whitelist"]
        assert opt["-max_pixels"] == "100", what
        if argv[0] == "ffmpeg":
            assert argv[:6] == ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"], what
            outs = outputs(argv)
            assert outs, what
            for name, o, _ in outs:  # no GPS or chapter titles of the upload survive into any output
                assert (o.get("-map_metadata"), o.get("-map_chapters")) == ("-1", "-1"), (what, name)
        else:
            assert argv[:4] == ["ffprobe", "-v", "error", "-hide_banner"], what
        progress = argv[6:9] == ["-progress", "pipe:1", "-nostats"]
        assert progress == what.startswith("transcode"), what
    with pytest.raises(ValueError):
        check_sandboxed(["ffmpeg", "-nostdin", "-i", "x.webm", "out.mp4"])


def _probe_json(streams, duration="N/A"):
    return json.dumps({"streams": streams, "format": {"format_name": "matroska,webm", "duration": duration}})


def test_probe_takes_duration_from_packets_and_streams_by_type():
    streams = [{"index": 0, "codec_type": "audio", "codec_name": "opus", "channels": 1},
               {"index": 1, "codec_type": "video", "codec_name": "vp8", "width": 640, "height": 480,
                "r_frame_rate": "1000/1", "avg_frame_rate": "1000/1", "pix_fmt": "yuv420p"}]
    packets = "\n".join([f"1,{n * 0.04:.3f},0.040" for n in range(250)] + [f"0,{n * 0.02:.3f},0.020"
                                                                            for n in range(500)])
    got = parse(_probe_json(streams, duration="0.000"), packets)
    assert (got.video_index, got.audio_index, got.video_codec, got.audio_codec) == (1, 0, "vp8", "opus")
    assert got.duration == 10.0 and got.video_frames == 250
    assert got.fps == 25.0  # the 1000/1 timebase rate is not believed
    assert got.instant_container == "webm"


def test_probe_distrusts_a_header_claiming_more_than_the_packets_hold():
    streams = [{"index": 0, "codec_type": "video", "codec_name": "h264", "width": 1920, "height": 1080,
                "avg_frame_rate": "30/1", "pix_fmt": "yuv420p"}]
    got = parse(_probe_json(streams, duration="35.229"), "0,0.000,0.1\n0,0.100,0.1\n0,0.200,0.1\n0,0.300,0.2\n")
    assert got.duration == 0.5 and not got.has_audio


def test_probe_reads_rotation_and_skips_cover_art():
    streams = [{"index": 0, "codec_type": "video", "codec_name": "mjpeg", "width": 600, "height": 600,
                "disposition": {"attached_pic": 1}},
               {"index": 1, "codec_type": "audio", "codec_name": "mp3"},
               {"index": 2, "codec_type": "video", "codec_name": "h264", "width": 1920, "height": 1080,
                "avg_frame_rate": "30/1", "side_data_list": [{"side_data_type": "Display Matrix", "rotation": -90}]}]
    got = parse(_probe_json(streams, "1.0"), "1,0.0,1.0\n2,0.0,0.5\n2,0.5,0.5\n")
    assert got.video_index == 2 and (got.display_width, got.display_height) == (1080, 1920)


def test_probe_rejects_files_without_media():
    with pytest.raises(MediaError, match="no video or audio"):
        parse(_probe_json([{"index": 0, "codec_type": "data"}]), "")
    with pytest.raises(MediaError, match="truncated or corrupt"):
        parse(_probe_json([{"index": 0, "codec_type": "audio", "codec_name": "aac"}], "3.0"), "")


@pytest.mark.parametrize("stderr, expected", [
    ("[mov,mp4 @ 0x1] moov atom not found\nx.mp4: Invalid data found when processing input", "truncated or corrupt"),
    ("x.mp4: Invalid data found when processing input", "not a video or audio file"),
    ("Format hls is not on whitelist", "not a video or audio file"),
    ("[vp9 @ 0x1] Invalid frame marker\nError while decoding stream #0:0: Invalid data found when processing input\n"
     "Cannot determine format of input stream 0:0 after EOF", "could be decoded"),
    ("[vp8 @ 0x1] [IMGUTILS @ 0x2] Picture size 16383x16383 is invalid\nError while decoding stream #0:0",
     "larger than this server accepts"),
    ("some new failure", None),
])
def test_ffmpeg_errors_become_sentences_a_person_understands(stderr, expected):
    got = classify(stderr)
    assert (got is None) if expected is None else (expected in got)
