"""The transcript beside the player in a real Chromium: words that seek, the playing word highlighted, find with
"n of N" that moves the playhead, a link per moment, captions over the video from the same words (on the trimmed
timeline too, and moved when the source changes), and the states while it is made or when it cannot be."""
from __future__ import annotations

import json

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import ffmpeg, sign_in
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.media_state import VideoStatus
from webapp.models import Transcript, TranscriptSegment, TranscriptState
from webapp.services import videos

VIDEO = "document.getElementById('video')"
TRACK = f"[...{VIDEO}.textTracks].find((t) => t.label === 'Transcript')"

# Source seconds, as the worker stores them (faster-whisper's words carry their leading space).
SPEECH = [
    (0.5, 2.8, [(0.5, 0.9, " Hello"), (1.0, 1.4, " team,"), (1.5, 1.9, " welcome"), (2.0, 2.1, " to"),
                (2.2, 2.3, " the"), (2.4, 2.8, " demo.")]),
    # "<beta>" must show as typed: the words are text, never markup, in the panel and in the captions.
    (3.0, 5.5, [(3.0, 3.3, " The"), (3.5, 3.8, " demo"), (3.9, 4.2, " shows"), (4.3, 4.5, " the"),
                (4.6, 4.9, " new"), (5.0, 5.2, " search"), (5.25, 5.5, " <beta>")]),
]
SECOND_TEXT = "The demo shows the new search <beta>"


def add_transcript(video, segments=SPEECH, *, state=TranscriptState.DONE, progress=100, reason=None):
    transcript = Transcript(video_id=video.id, state=state, progress=progress, reason=reason, language="en",
                            model="test", source_sha1=video.source_sha1)
    db.session.add(transcript)
    for i, (start, end, words) in enumerate(segments):
        transcript.segments.append(TranscriptSegment(
            video_id=video.id, position=i, start=start, end=end, text="".join(w for _, _, w in words).strip(),
            words_json=json.dumps([[a, b, w] for a, b, w in words])))
    db.session.commit()
    return transcript


def now(page) -> float:
    return page.evaluate(f"{VIDEO}.currentTime")


def wait_at(page, seconds: float, within: float = 0.3) -> None:
    page.wait_for_function(f"() => Math.abs({VIDEO}.currentTime - {seconds}) < {within}")


def word(page, text: str, nth: int = 0):
    return page.locator("#transcript-list .tw", has_text=text).nth(nth)


def expected_word(t: float, segments=SPEECH, offset: float = 0.0) -> str:
    """The word the panel should light at `t` (viewer's time): the last one started, unless a long pause followed."""
    words = [(a - offset, b - offset, w.strip()) for _, _, ws in segments for a, b, w in ws]
    started = [w for w in words if w[0] <= t + 1e-3]
    return started[-1][2] if started and t <= started[-1][1] + 1.0 else ""


def test_words_seek_highlight_find_link_and_captions(admin_page, live_server, make_video, tmp_path):
    page = admin_page
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    video = make_video("Demo day")
    add_transcript(video)
    page.goto(f"{live_server.url}/v/{video.id}")
    page.wait_for_function(f"() => {VIDEO}.dataset.source === 'hls' && {VIDEO}.readyState >= 1")

    # Every word is there as typed, one span each; "<beta>" is text, not an element.
    panel = page.locator("#transcript")
    expect(panel).to_be_visible()
    expect(page.locator("#transcript-list .tw")).to_have_count(13)
    expect(page.locator("#transcript-list .tw").first).to_have_text("Hello")
    expect(page.locator("#transcript-list .tw").last).to_have_text("<beta>")
    assert page.locator("#transcript-list beta").count() == 0
    expect(page.locator(".segment-time")).to_have_text(["0:00", "0:03"])
    # Beside the player on a wide screen.
    player_box, panel_box = page.locator("#player").bounding_box(), panel.bounding_box()
    assert panel_box["x"] >= player_box["x"] + player_box["width"] - 1
    assert abs(panel_box["y"] - player_box["y"]) < 2

    # Clicking a word seeks there, and lights it.
    word(page, "welcome").click()
    wait_at(page, 1.5)
    expect(page.locator(".tw.current")).to_have_text("welcome")
    expect(page.locator(".transcript-segment.current .segment-time")).to_have_text("0:00")

    # Playing lights each word as it is said.
    word(page, "Hello").click()
    wait_at(page, 0.5)
    page.evaluate("""() => {
        window.seen = [];
        setInterval(() => {
            const text = document.querySelector('.tw.current')?.textContent || '';
            if (text && window.seen[window.seen.length - 1] !== text) window.seen.push(text);
        }, 30);
    }""")
    page.click("#play")
    page.wait_for_function(f"() => {VIDEO}.currentTime > 2.45", timeout=10_000)
    page.click("#play")
    page.wait_for_function(f"() => {VIDEO}.paused")
    expect(page.locator(".tw.current")).to_have_text(expected_word(now(page)))
    seen = page.evaluate("window.seen")
    assert seen[:3] == ["Hello", "team,", "welcome"], seen

    # Find: both "demo"s are marked, accents and case folded; Next / Enter / Shift+Enter move the playhead.
    word(page, "Hello").click()
    wait_at(page, 0.5)
    page.fill("#transcript-find", "DÉMO")
    expect(page.locator("#transcript-count")).to_have_text("1 of 2")
    expect(page.locator(".tw.match")).to_have_count(2)
    assert now(page) < 1  # typing marks, it does not jump
    page.click("#transcript-next")
    wait_at(page, 3.5)
    expect(page.locator("#transcript-count")).to_have_text("2 of 2")
    expect(page.locator(".tw.match-current")).to_have_text("demo")
    page.press("#transcript-find", "Enter")  # wraps round to the first
    wait_at(page, 2.4)
    expect(page.locator("#transcript-count")).to_have_text("1 of 2")
    page.press("#transcript-find", "Shift+Enter")
    wait_at(page, 3.5)
    expect(page.locator("#transcript-count")).to_have_text("2 of 2")
    page.fill("#transcript-find", "demo shows")  # a phrase: its words in sequence
    expect(page.locator("#transcript-count")).to_have_text("1 of 1")
    expect(page.locator(".tw.match")).to_have_count(2)
    page.fill("#transcript-find", "zebra")
    expect(page.locator("#transcript-count")).to_have_text("No matches")
    expect(page.locator("#transcript-next")).to_be_disabled()
    page.fill("#transcript-find", "")
    expect(page.locator(".tw.match")).to_have_count(0)

    # Keyboard: Tab from the find box reaches each segment (with a visible focus ring) and its link, which shows
    # once focused; Enter on a segment plays from its start.
    page.focus("#transcript-find")
    page.keyboard.press("Tab")
    expect(page.locator(".transcript-segment").nth(0)).to_be_focused()
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"
    page.keyboard.press("Tab")
    expect(page.locator(".segment-link").nth(0)).to_be_focused()
    expect(page.locator(".segment-link").nth(0)).to_have_css("opacity", "1")
    page.keyboard.press("Tab")
    expect(page.locator(".transcript-segment").nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    wait_at(page, 3.0)

    # A link to a segment's moment.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.locator(".transcript-segment").nth(1).hover()
    page.locator(".segment-link").nth(1).click()
    expect(page.locator(".segment-link").nth(1)).to_have_text("Link copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == f"{live_server.url}/v/{video.id}?t=3"

    # Captions: off at first; CC shows the segment's text over the video at this moment.
    cc = page.locator("#captions")
    expect(cc).to_be_visible()
    expect(cc).to_have_attribute("aria-pressed", "false")
    assert page.evaluate(f"{TRACK}.mode") == "disabled"
    cc.click()
    expect(cc).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(f"() => {TRACK}.mode === 'showing' && {TRACK}.activeCues.length === 1")
    assert page.evaluate(f"{TRACK}.activeCues[0].getCueAsHTML().textContent") == SECOND_TEXT
    assert page.evaluate(f"[{TRACK}.activeCues[0].startTime, {TRACK}.activeCues[0].endTime]") == [3.0, 5.5]
    word(page, "team").click()
    page.wait_for_function(f"() => {TRACK}.activeCues.length === 1 && {TRACK}.activeCues[0].startTime === 0.5")
    page.screenshot(path=str(tmp_path / "transcript.png"))

    # Remembered in this browser: on after a reload; the c key turns it off again.
    page.reload()
    page.wait_for_function(f"() => {VIDEO}.readyState >= 1 && {TRACK} && {TRACK}.mode === 'showing'")
    expect(page.locator("#captions")).to_have_attribute("aria-pressed", "true")
    page.locator("#play").focus()
    page.keyboard.press("c")
    page.wait_for_function(f"() => {TRACK}.mode === 'disabled'")
    expect(page.locator("#captions")).to_have_attribute("aria-pressed", "false")

    # The caption files under the transcript.
    assert page.locator("#captions-vtt").get_attribute("href") == f"/v/{video.id}/captions.vtt?download=1"
    assert page.locator("#captions-srt").get_attribute("href") == f"/v/{video.id}/captions.srt?download=1"
    assert errors == []


def test_narrow_screen_puts_the_transcript_below_the_player(admin_page, live_server, make_video, tmp_path):
    page = admin_page
    video = make_video("On the phone")
    add_transcript(video)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/v/{video.id}")
    page.wait_for_function(f"() => {VIDEO}.readyState >= 1")
    player_box, panel_box = page.locator("#player").bounding_box(), page.locator("#transcript").bounding_box()
    assert panel_box["y"] >= player_box["y"] + player_box["height"] - 1
    assert panel_box["width"] <= 360
    wide = page.evaluate("""() => [...document.querySelectorAll('#watch *')]
        .filter((el) => el.getBoundingClientRect().right > 361 && el.getClientRects().length)
        .map((el) => el.id || el.className || el.tagName)""")
    assert wide == [], wide  # nothing of the watch page sticks out sideways
    # Nor does the header with its search box, Record and the user's links: the page never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for control in ("#transcript-find", "#transcript-next", "#transcript-prev"):
        box = page.locator(control).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, control
    word(page, "shows").click()
    wait_at(page, 3.9)
    page.screenshot(path=str(tmp_path / "transcript-360.png"), full_page=True)


def test_trimmed_video_transcript_starts_at_zero_and_seeks_in_the_trimmed_timeline(admin_page, live_server,
                                                                                  make_video):
    page = admin_page
    video = make_video("Trimmed talk")
    # Kept: 2 s to 5 s of the source; the renditions are still the untrimmed ones, so the player clips them.
    video.trim_start, video.trim_end, video.source_duration, video.duration = 2.0, 5.0, 6.0, 3.0
    db.session.commit()
    add_transcript(video)
    page.goto(f"{live_server.url}/v/{video.id}")
    page.wait_for_function(f"() => {VIDEO}.dataset.source === 'hls' && {VIDEO}.readyState >= 1")
    expect(page.locator("#total-time")).to_have_text("0:03")

    # Only the kept words, counted from the trim's start.
    expect(page.locator(".tw")).to_have_text(["to", "the", "demo.", "The", "demo", "shows", "the", "new"])
    expect(page.locator(".segment-time")).to_have_text(["0:00", "0:01"])
    # The second "demo" is at 1.5 s of what people see, 3.5 s of the element's own (untrimmed) clock.
    word(page, "demo", 1).click()
    wait_at(page, 3.5)
    expect(page.locator("#current-time")).to_have_text("0:01")
    expect(page.locator(".tw.current")).to_have_text("demo")

    page.click("#captions")
    page.wait_for_function(f"() => {TRACK}.activeCues.length === 1")
    assert page.evaluate(f"{TRACK}.activeCues[0].getCueAsHTML().textContent") == "The demo shows the new"
    assert page.evaluate(f"[...{TRACK}.cues].map((c) => [c.startTime, c.endTime])") == [[2.0, 2.8], [3.0, 5.0]]

    # Find starts from the playhead (the second "demo"); Next wraps round to the first, at 0.4 s of what plays.
    page.fill("#transcript-find", "demo")
    expect(page.locator("#transcript-count")).to_have_text("2 of 2")
    page.click("#transcript-next")
    wait_at(page, 2.4)
    expect(page.locator("#transcript-count")).to_have_text("1 of 2")
    expect(page.locator("#current-time")).to_have_text("0:00")


def test_cues_follow_the_source_when_the_trimmed_renditions_land(admin_page, live_server, make_video, sample_video,
                                                                 tmp_path):
    page = admin_page
    # A trim being rebuilt: the instant original plays (its clock is the source's) until the trimmed ladder lands.
    video = make_video("Rebuilding", status=VideoStatus.PROCESSING, ladder=False, progress=50, stage="Encoding")
    video.trim_start, video.trim_end, video.source_duration, video.duration = 2.0, 5.0, 6.0, 3.0
    db.session.commit()
    add_transcript(video)
    page.goto(f"{live_server.url}/v/{video.id}")
    page.wait_for_function(f"() => {VIDEO}.dataset.source === 'original' && {VIDEO}.readyState >= 1")
    page.click("#captions")
    page.wait_for_function(f"() => {TRACK}.mode === 'showing'")
    assert page.evaluate(f"[...{TRACK}.cues].map((c) => c.startTime)") == [2.0, 3.0]

    # The rebuilt ladder holds only the kept 3 s: its clock starts at the trim, so the cues move back by 2 s.
    hls = tmp_path / "hls"
    hls.mkdir()
    ffmpeg("-ss", "2", "-t", "3", "-i", str(sample_video), "-c", "copy", "-f", "hls", "-hls_time", "2",
           "-hls_playlist_type", "vod", "-hls_segment_filename", str(hls / "seg%d.ts"), str(hls / "index.m3u8"))
    prefix = videos.rendition_prefix(video) + "t2/"
    for f in sorted(hls.iterdir()):
        storage().put_file(prefix + "hls/" + f.name, f)
    video.hls_key = prefix + "hls/index.m3u8"
    video.renditions_trim_start, video.renditions_trim_end = 2.0, 5.0
    video.status, video.progress = VideoStatus.READY, 100
    db.session.commit()
    page.wait_for_function(f"() => {VIDEO}.dataset.source === 'hls' && {VIDEO}.readyState >= 1", timeout=10_000)
    page.wait_for_function(f"() => {TRACK}.cues.length === 2 && {TRACK}.cues[1].startTime === 1")
    word(page, "demo", 1).click()
    wait_at(page, 1.5)
    page.wait_for_function(f"() => {TRACK}.activeCues.length === 1 && {TRACK}.activeCues[0].startTime === 1")


def test_states_while_made_when_empty_and_when_unavailable(admin_page, live_server, make_video, browser):
    page = admin_page
    # Being made: the progress follows the status the page polls, then the words appear.
    video = make_video("Fresh upload")
    add_transcript(video, [], state=TranscriptState.RUNNING, progress=40)
    page.goto(f"{live_server.url}/v/{video.id}")
    expect(page.locator("#transcript-progress-text")).to_have_text("Transcribing… 40%")
    expect(page.locator("#transcript-progress")).to_have_attribute("aria-valuenow", "40")
    expect(page.locator("#captions")).to_be_hidden()
    transcript = db.session.get(Transcript, video.id)
    transcript.progress = 70
    db.session.commit()
    expect(page.locator("#transcript-progress-text")).to_have_text("Transcribing… 70%", timeout=10_000)
    for i, (start, end, words) in enumerate(SPEECH):
        transcript.segments.append(TranscriptSegment(
            video_id=video.id, position=i, start=start, end=end, text="".join(w for _, _, w in words).strip(),
            words_json=json.dumps([[a, b, w] for a, b, w in words])))
    transcript.state, transcript.progress = TranscriptState.DONE, 100
    db.session.commit()
    expect(page.locator("#transcript-list .tw")).to_have_count(13, timeout=10_000)
    expect(page.locator("#transcript-pending")).to_be_hidden()
    expect(page.locator("#captions")).to_be_visible()

    # No speech.
    quiet = make_video("Silent screen")
    add_transcript(quiet, [], state=TranscriptState.EMPTY)
    page.goto(f"{live_server.url}/v/{quiet.id}")
    expect(page.locator("#transcript-empty")).to_have_text("No speech was found in this video.")
    expect(page.locator("#transcript-done")).to_be_hidden()

    # Unavailable: the reason, and for the owner a way to run it again (a form with the CSRF token).
    broken = make_video("No model here")
    add_transcript(broken, [], state=TranscriptState.UNAVAILABLE, progress=0,
                   reason="No speech model could be loaded: the model folder is empty.")
    page.goto(f"{live_server.url}/v/{broken.id}")
    expect(page.locator("#transcript-reason")).to_have_text("No speech model could be loaded: the model folder is empty.")
    expect(page.locator("#transcript-rerun")).to_be_visible()
    expect(page.locator("#transcript-rerun")).to_have_text("Transcribe again")
    form = page.locator("#transcript-rerun-form")
    assert form.get_attribute("method") == "post"
    assert form.get_attribute("action") == f"/v/{broken.id}/transcript/rerun"
    assert form.locator("input[name=csrf_token]").get_attribute("value")

    # Another member sees why, but gets no button.
    factories.user("member@example.com", name="Mo Member")
    context = browser.new_context()
    other = context.new_page()
    sign_in(other, live_server.url, "member@example.com")
    other.goto(f"{live_server.url}/v/{broken.id}")
    expect(other.locator("#transcript-reason")).to_have_text("No speech model could be loaded: the model folder is empty.")
    expect(other.locator("#transcript-rerun")).to_have_count(0)
    context.close()

    # The owner runs it again: the panel shows it queued.
    page.click("#transcript-rerun")
    expect(page.locator(".flash-success")).to_have_text("Transcription started again.")
    expect(page.locator("#transcript-progress-text")).to_have_text("Transcribing… 0%")

    # No transcript at all (a video without sound): no panel, no CC, the player keeps its width.
    none = make_video("No sound")
    page.goto(f"{live_server.url}/v/{none.id}")
    page.wait_for_function(f"() => {VIDEO}.readyState >= 1")
    expect(page.locator("#transcript")).to_be_hidden()
    expect(page.locator("#captions")).to_be_hidden()


def test_owner_replaces_the_transcript_with_a_caption_file(admin_page, live_server, make_video, tmp_path):
    page = admin_page
    video = make_video("Captioned by hand")
    add_transcript(video)
    vtt = tmp_path / "mine.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nWritten by a person\n\n"
                   "00:00:04.000 --> 00:00:05.000\nThe end\n", encoding="utf-8")
    page.goto(f"{live_server.url}/v/{video.id}")
    page.click("#transcript-replace summary")
    page.set_input_files("#captions-file", str(vtt))
    page.click("#captions-upload")
    expect(page.locator(".flash-success")).to_contain_text("Captions uploaded")
    # The cues are the transcript now; without word timings their words are spread over each cue's time.
    expect(page.locator(".tw")).to_have_text(["Written", "by", "a", "person", "The", "end"])
    page.wait_for_function(f"() => {VIDEO}.readyState >= 1")
    word(page, "Written").click()
    wait_at(page, 1.0)
    word(page, "The").click()
    wait_at(page, 4.0)
    expect(page.locator(".tw.current")).to_have_text("The")


def test_the_playing_word_stays_in_view_unless_the_viewer_scrolls_the_panel(admin_page, live_server, make_video):
    page = admin_page
    video = make_video("A long talk")
    # Forty short segments: far more than the panel shows at once.
    add_transcript(video, [(i * 0.15, i * 0.15 + 0.14, [(i * 0.15, i * 0.15 + 0.14, f" word{i}")]) for i in range(40)])
    page.goto(f"{live_server.url}/v/{video.id}")
    page.wait_for_function(f"() => {VIDEO}.readyState >= 1")
    in_view = """() => {
        const list = document.getElementById('transcript-list').getBoundingClientRect();
        const word = document.querySelector('.tw.current')?.getBoundingClientRect();
        return Boolean(word) && word.top >= list.top && word.bottom <= list.bottom;
    }"""
    page_y = page.evaluate("window.scrollY")
    page.evaluate(f"{VIDEO}.currentTime = 5.5")
    expect(page.locator(".tw.current")).to_have_text("word36")
    page.wait_for_function(in_view)
    assert page.evaluate("document.getElementById('transcript-list').scrollTop") > 0
    assert page.evaluate("window.scrollY") == page_y  # the panel scrolled, not the page

    # The viewer scrolls the panel back to the top: it stays there while the playhead moves on.
    box = page.locator("#transcript-list").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -5000)
    page.wait_for_function("() => document.getElementById('transcript-list').scrollTop === 0")
    page.evaluate(f"{VIDEO}.currentTime = 5.0")
    expect(page.locator(".tw.current")).to_have_text("word33")
    page.wait_for_timeout(500)
    assert page.evaluate("document.getElementById('transcript-list').scrollTop") == 0
