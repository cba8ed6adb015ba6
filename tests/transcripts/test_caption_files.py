"""Caption files as a player or an editor reads them: what we write parses back to the same cues with the
format's own library, long speech is cut into captions people can read, and what we read back is what we wrote."""
from __future__ import annotations

import io
import textwrap

import pytest
import srt
import webvtt

from webapp.errors import Invalid
from webapp.services import captions

SEGMENTS = [
    {"start": 0.0, "end": 2.4, "text": "Welcome to the roadmap review.", "words": []},
    {"start": 2.7, "end": 4.5, "text": "Shipping comes first.", "words": []},
    {"start": 65.25, "end": 68.0, "text": "Then a minute later, search.", "words": []},
]


def _vtt_cues(body: str):
    return [(c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000, c.text) for c in webvtt.from_buffer(io.StringIO(body)).captions]


def test_webvtt_parses_back_to_the_same_texts_and_times():
    body = captions.to_vtt(SEGMENTS)
    assert body.startswith("WEBVTT")
    assert _vtt_cues(body) == [(s["start"], s["end"], s["text"]) for s in SEGMENTS]
    assert "00:01:05.250 --> 00:01:08.000" in body  # minutes past the first, as players count them


def test_subrip_parses_back_to_the_same_texts_and_times():
    subs = list(srt.parse(captions.to_srt(SEGMENTS)))
    assert [(s.index, s.start.total_seconds(), s.end.total_seconds(), s.content) for s in subs] == [
        (i, s["start"], s["end"], s["text"]) for i, s in enumerate(SEGMENTS, start=1)]


def _long_segment():
    # Forty words, a little more than a word every half second: 21 seconds of talk in one segment.
    words, t = [], 1.0
    for i in range(40):
        w = f"word{i}" + ("." if i % 13 == 12 else "")
        words.append([round(t, 3), round(t + 0.4, 3), w])
        t += 0.53
    return {"start": 0.8, "end": round(t, 3), "text": " ".join(w for _, _, w in words), "words": words}


def test_long_speech_is_cut_at_word_timings_into_readable_captions():
    seg = _long_segment()
    cues = _vtt_cues(captions.to_vtt([seg]))
    assert len(cues) >= 4
    for start, end, text in cues:
        lines = text.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines), text
        assert end - start <= 7.5, (start, end, text)
    # Every word once, in order; the cues tile the segment, each starting where one of its words starts.
    assert " ".join(" ".join(text.split()) for _, _, text in cues) == seg["text"]
    assert cues[0][0] == seg["start"] and cues[-1][1] == seg["end"]
    assert all(a[1] == b[0] for a, b in zip(cues, cues[1:], strict=False))
    starts = {w[0] for w in seg["words"]}
    assert all(c[0] in starts for c in cues[1:])
    # A sentence's end closes its caption: the next one starts with the next sentence.
    assert any(text.endswith("word12.") for _, _, text in cues)


def test_what_was_said_reads_as_itself_even_when_it_looks_like_markup():
    said = "if a < b && c > d --> done"
    seg = [{"start": 1.0, "end": 3.0, "text": said, "words": []}]
    body = captions.to_vtt(seg)
    assert len(webvtt.from_buffer(io.StringIO(body)).captions) == 1  # "-->" did not end the cue early
    assert [s.text for s in captions.parse("mine.vtt", body.encode())] == [said]
    assert [s.text for s in captions.parse("mine.srt", captions.to_srt(seg).encode())] == [said]


def test_an_uploaded_file_reads_as_its_cues_without_tags():
    vtt = textwrap.dedent("""\
        WEBVTT - made elsewhere

        NOTE a comment the reader skips

        intro
        00:00:01.000 --> 00:00:03.500 align:start
        <v Ann>Hello <i>there</i></v>,
        second line &amp; more

        00:00:04.000 --> 00:00:05.000
        Bye.
        """).encode("utf-8-sig")  # a byte-order mark, as Windows editors write it
    found = captions.parse("Cues.VTT", vtt)
    assert [(s.start, s.end, s.text, s.words) for s in found] == [
        (1.0, 3.5, "Hello there, second line & more", []), (4.0, 5.0, "Bye.", [])]
    subrip = b"1\r\n00:00:01,000 --> 00:00:02,000\r\n<i>One</i>\r\n\r\n2\r\n00:01:00,500 --> 00:01:02,000\r\nTwo\r\n"
    assert [(s.start, s.end, s.text) for s in captions.parse("x.srt", subrip)] == [(1.0, 2.0, "One"),
                                                                                    (60.5, 62.0, "Two")]


BROKEN = {
    "garbage.srt": (b"this is not\nany kind of caption file\n", "line 1"),
    "no-header.vtt": (b"00:00:01.000 --> 00:00:02.000\nHello\n", "first line must be \"WEBVTT\""),
    "backwards.vtt": (b"WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nlater\n\n00:00:01.000 --> 00:00:02.000\nearlier\n",
                      "go backwards: cue 2 starts at 00:00:01.000"),
    "ends-first.srt": (b"1\n00:00:05,000 --> 00:00:04,000\nHello\n", "ends (00:00:04.000) before it starts"),
    "empty.vtt": (b"", "empty"),
    "blank.srt": (b"\r\n \n", "empty"),
    "header-only.vtt": (b"WEBVTT\n", "holds no captions"),
    "binary.srt": (bytes(range(256)) * 4, "binary data"),
    "latin1.srt": ("1\n00:00:01,000 --> 00:00:02,000\nCaf\u00e9 cr\u00e8me\n".encode("latin-1"),
                   "not UTF-8 text (line 3"),
    "notes.txt": (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello\n", "upload a WebVTT (.vtt) or SubRip (.srt)"),
    "bad-time.vtt": (b"WEBVTT\n\n00:00:01.000 --> 00:00:xx.000\nHello\n", "WebVTT file cannot be read at line 3"),
    "bad-arrow.vtt": (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\n\n\n00:00:03.000 -> 00:00:04.000\nlost\n",
                      "at line 7: \"00:00:03.000 -> 00:00:04.000\" is neither a cue nor a note"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_file_is_refused_with_a_sentence_saying_what_is_wrong(name):
    data, says = BROKEN[name]
    with pytest.raises(Invalid) as e:
        captions.parse(name, data)
    assert says in str(e.value), str(e.value)


def test_download_names_come_from_the_title_without_what_breaks_a_file_name():
    class V:
        title = 'Q3 "plans" / roadmap\\..'

    assert captions.download_name(V, "vtt") == "Q3 plans roadmap.vtt"
    V.title = "Ünïcode 会議"
    assert captions.download_name(V, "srt") == "Ünïcode 会議.srt"
    V.title = "///"
    assert captions.download_name(V, "vtt") == "captions.vtt"
