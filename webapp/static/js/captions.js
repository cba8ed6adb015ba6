// Captions over the video from the transcript: one text track of VTTCues, and the CC button. Whether captions
// start on is the signed-in person's own setting, kept on the server, so every browser they use starts the same.
import { postJSON } from './http.js';

// Cue text is WebVTT markup, not plain text: escape it so a transcript's "<" or "&" shows as typed.
function cueText(text) {
  return String(text ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// The words kept by a trim, when the segment has word timings (its text is the whole sentence as it was said).
function spoken(segment) {
  const words = segment.words || [];
  if (!words.length) return String(segment.text ?? '');
  const texts = words.map((w) => String(w[2] ?? ''));
  // Whisper's words carry their own leading spaces; words without any (typed, uploaded) need one between them.
  return texts.join(texts.some((w) => /^\s/.test(w)) ? '' : ' ').replace(/\s+/g, ' ').trim();
}

export class Captions {
  /** `video`: the element; `button`: the CC toggle in the controls (hidden while there is nothing to show);
   * `on`: the person's setting as the page was made; `saveUrl`: where a change of it is kept. */
  constructor(video, button, { on = false, saveUrl = '' } = {}) {
    this.video = video;
    this.button = button;
    this.on = Boolean(on);
    this.saveUrl = saveUrl;
    this.track = null;
    this.cues = [];
    this.segments = [];
    this.language = '';
    this.offset = 0;
    button.addEventListener('click', () => this.toggle());
    this.showButton();
  }

  /** New transcript segments (viewer's time); `offset` turns them into the element's own time. */
  setSegments(segments, language, offset = this.offset) {
    this.segments = segments || [];
    this.language = language || this.language;
    this.offset = offset;
    this.build();
  }

  /** The element's time minus the viewer's changed (another source, another trim): move every cue. */
  setOffset(offset) {
    if (Math.abs(offset - this.offset) < 1e-3) return;
    this.offset = offset;
    this.build();
  }

  build() {
    this.showButton();
    if (!this.segments.length && !this.track) return;
    // A text track cannot be removed from a media element: make one, then replace its cues.
    if (!this.track) this.track = this.video.addTextTrack('captions', 'Transcript', this.language || '');
    // Cues are only readable while the track is not disabled.
    this.track.mode = 'hidden';
    for (const cue of this.cues) {
      try {
        this.track.removeCue(cue);
      } catch {
        // already gone with its track's list
      }
    }
    this.cues = [];
    for (const s of this.segments) {
      const start = s.start + this.offset;
      const end = Math.max(start + 0.05, s.end + this.offset);
      const cue = new VTTCue(start, end, cueText(spoken(s)));
      this.track.addCue(cue);
      this.cues.push(cue);
    }
    this.applyMode();
  }

  toggle() {
    if (!this.segments.length) return;
    this.on = !this.on;
    this.applyMode();
    this.remember(this.on);
  }

  async remember(on) {
    if (!this.saveUrl) return;
    try {
      const resp = await postJSON(this.saveUrl, { on });
      if (!resp.ok) throw new Error(`status ${resp.status}`);
    } catch {
      // Not kept (offline, signed out): the button still works for this visit; the next click tries again.
    }
  }

  applyMode() {
    if (this.track) this.track.mode = this.on && this.segments.length ? 'showing' : 'disabled';
    this.button.setAttribute('aria-pressed', String(this.on));
    this.button.classList.toggle('on', this.on);
  }

  showButton() {
    this.button.hidden = !this.segments.length;
    this.button.setAttribute('aria-pressed', String(this.on));
    this.button.classList.toggle('on', this.on);
  }
}
