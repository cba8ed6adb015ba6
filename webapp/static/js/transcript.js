// The transcript beside the player: every word a span, the one playing highlighted (and kept in view unless the
// viewer is scrolling the panel), click a word or press Enter on a segment to seek, find, a link per moment,
// the states while it is made, the captions built from the same words, and (for owners) corrections in place. Times here are the viewer's (0 =
// the start of what plays); the player says how far the <video> element's own clock is ahead of that.
import { formatClock } from './timecode.js';
import { isFinal } from './status.js';
import { timedWords, wordAt } from './transcript-words.js';
import { TranscriptFind } from './transcript-find.js';
import { Captions } from './captions.js';
import { TranscriptEditor } from './transcript-edit.js';

const $ = (id) => document.getElementById(id);
const PENDING = new Set(['queued', 'running']);
const POLL_MS = 2000;
const USER_SCROLL_MS = 5000;  // after the viewer scrolls the panel, leave it where they put it this long

function readEmbedded() {
  const el = $('transcript-data');
  try {
    return el ? JSON.parse(el.textContent) : { state: 'none', segments: [] };
  } catch {
    return { state: 'none', segments: [] };
  }
}

/**
 * player: {video, statusUrl, offset() (element time - viewer time), seek(viewerSeconds),
 * copyLink(viewerSeconds, button), onStatus(statusJson) (the page's own status handler, for polls made here)}.
 */
export function initTranscript(player) {
  const panel = $('transcript');
  if (!panel) return null;
  return new TranscriptPanel(panel, player);
}

class TranscriptPanel {
  constructor(panel, player) {
    this.panel = panel;
    this.player = player;
    this.video = player.video;
    this.list = $('transcript-list');
    this.data = readEmbedded();
    this.words = [];
    this.spans = [];
    this.segmentEls = [];
    this.currentWord = -1;
    this.userScrolledAt = -Infinity;
    this.polling = false;
    this.loading = false;
    this.trimKey = null;  // the trim of the last status: when it moves, the words' times move with it
    this.captions = new Captions(this.video, $('captions'), {
      on: panel.dataset.captionsOn === 'true', saveUrl: panel.dataset.captionsUrl,
    });
    this.pendingRender = null;  // a newer transcript that came while the owner was editing: shown after
    this.find = new TranscriptFind({
      input: $('transcript-find'), count: $('transcript-count'), prev: $('transcript-prev'), next: $('transcript-next'),
      spans: () => this.spans,
      now: () => this.now(),
      go: (word) => this.player.seek(word.start),
    });
    this.bind();
    this.editor = TranscriptEditor.attach(this);
    this.show(this.data);
  }

  now() {
    return (this.video.currentTime || 0) - this.player.offset();
  }

  bind() {
    this.list.addEventListener('click', (event) => {
      if (this.editor?.active) return;  // clicks in a text box place the caret, they do not seek
      const link = event.target.closest('.segment-link');
      const segment = event.target.closest('.transcript-segment');
      if (!segment) return;
      const seg = this.data.segments[Number(segment.dataset.index)];
      if (link) {
        this.player.copyLink(seg.start, link);
        return;
      }
      const word = event.target.closest('.tw');
      this.player.seek(word ? this.words[Number(word.dataset.w)].start : seg.start);
    });
    this.list.addEventListener('keydown', (event) => {
      const segment = event.target;
      if (this.editor?.active) return;
      if (event.key !== 'Enter' || !segment.classList?.contains('transcript-segment')) return;
      event.preventDefault();
      this.player.seek(this.data.segments[Number(segment.dataset.index)].start);
    });
    // What the viewer does to the panel's scroll (wheel, touch, its scroll bar, keys) pauses following the playhead.
    const scrolled = () => { this.userScrolledAt = performance.now(); };
    for (const type of ['wheel', 'touchmove']) this.list.addEventListener(type, scrolled, { passive: true });
    this.list.addEventListener('pointerdown', (event) => { if (event.target === this.list) scrolled(); });
    this.list.addEventListener('keydown', (event) => {
      if (['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End', ' '].includes(event.key)) scrolled();
    });
    this.list.addEventListener('transcript-reveal', (event) => this.reveal(event.target));

    const tick = () => this.highlight();
    for (const type of ['timeupdate', 'seeked', 'pause', 'loadedmetadata']) this.video.addEventListener(type, tick);
    // timeupdate comes about four times a second: follow each frame while playing, so words light up on time.
    let following = false;
    this.video.addEventListener('playing', () => {
      if (following) return;
      following = true;
      const frame = () => {
        this.highlight();
        if (!this.video.paused && !this.video.ended) requestAnimationFrame(frame);
        else following = false;
      };
      requestAnimationFrame(frame);
    });
  }

  /** A view() dict (embedded, fetched, or only {state, progress, reason} from the status poll). */
  show(t) {
    const state = t.state || 'none';
    this.panel.hidden = state === 'none';
    this.panel.closest('.watch')?.classList.toggle('with-transcript', state !== 'none');
    $('transcript-pending').hidden = !PENDING.has(state);
    $('transcript-empty').hidden = state !== 'empty';
    $('transcript-unavailable').hidden = state !== 'unavailable';
    $('transcript-done').hidden = state !== 'done';
    if (PENDING.has(state)) this.progress(t.progress);
    if (state === 'unavailable') {
      $('transcript-reason').textContent = t.reason || 'The transcript is not available.';
      $('transcript-rerun-form')?.toggleAttribute('hidden', t.canRerun === false);
    }
    if (state === 'done' && Array.isArray(t.segments)) this.render(t);
    if (state !== 'done') this.captions.setSegments([], t.language);
    this.editor?.stateChanged(state);
  }

  /** A short line under the panel's tools, for what just happened (a save). */
  announce(message) {
    $('transcript-saved').textContent = message;
  }

  /** The editor closed: show what came in meanwhile, else put the words back as they were. */
  editorStopped() {
    const pending = this.pendingRender;
    this.pendingRender = null;
    if (pending) this.render(pending);
  }

  progress(percent) {
    const value = Math.max(0, Math.min(100, Math.round(percent || 0)));
    $('transcript-bar').style.width = `${value}%`;
    $('transcript-progress').setAttribute('aria-valuenow', String(value));
    $('transcript-progress-text').textContent = `Transcribing… ${value}%`;
  }

  render(t) {
    if (this.editor?.active) {
      this.pendingRender = t;  // never pull the text boxes from under someone typing
      return;
    }
    this.announce('');
    this.data = t;
    this.words = timedWords(t.segments);
    const list = this.list;
    list.replaceChildren();
    if (t.language) list.lang = t.language;
    this.spans = [];
    this.segmentEls = [];
    let w = 0;
    t.segments.forEach((seg, index) => {
      const item = document.createElement('li');
      item.className = 'transcript-segment';
      item.tabIndex = 0;
      item.dataset.index = String(index);
      item.setAttribute('aria-describedby', 'transcript-seek-hint');
      const head = document.createElement('div');
      head.className = 'segment-head';
      const time = document.createElement('span');
      time.className = 'segment-time';
      time.textContent = formatClock(seg.start);
      const link = document.createElement('button');
      link.type = 'button';
      link.className = 'link segment-link';
      link.textContent = 'Copy link at this moment';
      link.setAttribute('aria-label', `Copy link at ${formatClock(seg.start)}`);
      head.append(time, link);
      const text = document.createElement('p');
      text.className = 'segment-text';
      const first = w;
      while (w < this.words.length && this.words[w].segment === index) w += 1;
      // Where the words say where spaces go (Whisper's leading spaces), follow them; else one between each.
      const marked = this.words.slice(first, w).some((x) => /^\s/.test(x.raw));
      for (let i = first; i < w; i += 1) {
        const span = document.createElement('span');
        span.className = 'tw';
        span.dataset.w = String(i);
        span.textContent = this.words[i].text;  // text, never markup
        if (text.childNodes.length && (!marked || /^\s/.test(this.words[i].raw))) text.append(' ');
        text.append(span);
        this.spans.push(span);
      }
      item.append(head, text);
      list.append(item);
      this.segmentEls.push(item);
    });
    this.currentWord = -1;
    this.captions.setSegments(t.segments, t.language, this.player.offset());
    this.find.setWords(this.words);
    this.highlight();
  }

  highlight() {
    if (!this.words.length) return;
    const index = wordAt(this.words, this.now());
    if (index === this.currentWord) return;
    const before = this.spans[this.currentWord];
    if (before) {
      before.classList.remove('current');
      before.removeAttribute('aria-current');
      this.segmentEls[this.words[this.currentWord].segment]?.classList.remove('current');
    }
    this.currentWord = index;
    const span = this.spans[index];
    if (!span) return;
    span.classList.add('current');
    span.setAttribute('aria-current', 'true');
    this.segmentEls[this.words[index].segment]?.classList.add('current');
    if (performance.now() - this.userScrolledAt > USER_SCROLL_MS) this.reveal(span);
  }

  /** Scroll the panel (never the page) so `el` is in view, a third from its top. */
  reveal(el) {
    const box = this.list.getBoundingClientRect();
    const at = el.getBoundingClientRect();
    if (!box.height || (at.top >= box.top && at.bottom <= box.bottom)) return;
    this.list.scrollTop += at.top - box.top - box.height / 3;
  }

  toggleCaptions() {
    this.captions.toggle();
  }

  /** The element's clock moved against the viewer's (a new source, a new trim): move the cues with it. */
  sourceChanged() {
    this.captions.setOffset(this.player.offset());
    this.highlight();
  }

  /** Every status the page receives: follow the transcript's state, and keep polling while it is being made. */
  update(status) {
    this.sourceChanged();
    const trimKey = JSON.stringify(status.trim || null);
    const trimMoved = this.trimKey !== null && trimKey !== this.trimKey;
    this.trimKey = trimKey;
    const t = status.transcript;
    if (!t) return;  // a status without the transcript's state: nothing to follow
    const was = this.data.state;
    if (t.state === 'done' && (was !== 'done' || trimMoved)) {
      this.load();  // its words, in the new trim's time when the trim moved
    } else if (t.state !== 'done') {
      this.data = { ...this.data, ...t, segments: [] };
      this.show(this.data);
    }
    if (PENDING.has(t.state) && isFinal(status.status)) this.follow();
  }

  async load() {
    if (this.loading) return;
    this.loading = true;
    try {
      const resp = await fetch(this.panel.dataset.url,
        { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' });
      if (!resp.ok) throw new Error(`status ${resp.status}`);
      this.show(await resp.json());
    } catch {
      // Not the transcript's fault: say so, without offering to transcribe it again.
      this.show({ state: 'unavailable', reason: 'The transcript could not be loaded. Reload the page to try again.',
                  canRerun: false });
    } finally {
      this.loading = false;
    }
  }

  /** The page stops polling once the video is ready; the transcript comes later, so poll on until it is made. */
  follow() {
    if (this.polling) return;
    this.polling = true;
    const tick = async () => {
      let delay = POLL_MS;
      try {
        const resp = await fetch(this.player.statusUrl, { headers: { Accept: 'application/json' }, cache: 'no-store' });
        if ([401, 403, 404].includes(resp.status)) {
          this.polling = false;  // deleted, or signed out: polling again cannot help
          return;
        }
        if (resp.ok) {
          const status = await resp.json();
          this.player.onStatus(status);
          if (!status.transcript || !PENDING.has(status.transcript.state)) {
            this.polling = false;
            return;
          }
        } else {
          delay = POLL_MS * 3;
        }
      } catch {
        delay = POLL_MS * 3;
      }
      setTimeout(tick, delay);
    };
    setTimeout(tick, POLL_MS);
  }
}
