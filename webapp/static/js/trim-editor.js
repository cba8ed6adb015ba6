// The owner's trim editor on the watch page: the whole untrimmed length as a timeline (storyboard thumbnails and
// the audio waveform), two handles that drag or take arrow keys, numeric fields, preview, save, undo and reset.
// Times here are seconds of the untrimmed source; the player maps them onto whatever it plays.
import { cueAt, loadStoryboard } from './storyboard.js';
import { drawWaveform, loadWaveform } from './waveform.js';
import { sendJSON } from './video-edit.js';

const $ = (id) => document.getElementById(id);
const MIN_LENGTH = 1;  // seconds, as the server requires
const EDGE = 0.05;

/** Seconds as m:ss.s, the precision a trim is set to. */
export function formatPrecise(seconds) {
  const tenths = Math.round(Math.max(0, seconds) * 10);
  const m = Math.floor(tenths / 600);
  const s = ((tenths % 600) / 10).toFixed(1).padStart(4, '0');
  return `${m}:${s}`;
}

export class TrimEditor {
  /**
   * player: {info(), previewRange(start, end), stopPreview(), onPreviewEnd(fn), sourceTime()}
   * onSaved(info): the video as the API returned it after a change.
   */
  constructor({ player, onSaved }) {
    this.root = $('trim-editor');
    this.player = player;
    this.onSaved = onSaved;
    this.timeline = $('trim-timeline');
    this.handles = { start: $('trim-handle-start'), end: $('trim-handle-end') };
    this.inputs = { start: $('trim-start'), end: $('trim-end') };
    this.wave = null;
    this.waveUrl = null;
    this.cues = [];
    this.loadedStoryboard = null;
    this.previewing = false;
    this.wire();
  }

  full() {
    const info = this.player.info();
    return info.source_duration || info.duration || 0;
  }

  open() {
    this.root.hidden = false;
    $('open-trim').setAttribute('aria-expanded', 'true');
    this.reset(this.player.info());
    this.loadPictures();
    this.handles.start.focus();
  }

  close() {
    this.stopPreview();
    this.root.hidden = true;
    $('open-trim').setAttribute('aria-expanded', 'false');
    $('open-trim').focus();
  }

  /** Put the handles where the video's trim is (the whole length when untrimmed). */
  reset(info) {
    const full = this.full();
    this.start = info.trim ? info.trim.start : 0;
    this.end = info.trim ? info.trim.end : full;
    $('trim-undo').disabled = false;
    this.render();
  }

  wire() {
    $('open-trim').addEventListener('click', () => (this.root.hidden ? this.open() : this.close()));
    $('trim-close').addEventListener('click', () => this.close());
    $('trim-preview').addEventListener('click', () => (this.previewing ? this.stopPreview() : this.preview()));
    $('trim-save').addEventListener('click', () => this.send('PUT', this.root.dataset.apiUrl,
      { start: round(this.start), end: round(this.end) }, 'Trim saved.'));
    $('trim-undo').addEventListener('click', () => this.send('POST', this.root.dataset.undoUrl, undefined,
      'Went back to the previous trim.'));
    $('trim-reset').addEventListener('click', () => this.send('DELETE', this.root.dataset.apiUrl, undefined,
      'Back to the full length.'));
    this.player.onPreviewEnd(() => this.previewEnded());
    for (const which of ['start', 'end']) {
      this.wireHandle(which);
      this.inputs[which].addEventListener('change', () => this.typed(which));
    }
    this.timeline.addEventListener('pointerdown', (event) => {
      if (event.target.classList.contains('trim-handle')) return;
      const t = this.timeAt(event);
      this.move(Math.abs(t - this.start) <= Math.abs(t - this.end) ? 'start' : 'end', t);
    });
    window.addEventListener('resize', () => { if (!this.root.hidden) this.render(); });
    this.root.addEventListener('keydown', (event) => { if (event.key === 'Escape') this.close(); });
  }

  wireHandle(which) {
    const handle = this.handles[which];
    let dragging = false;
    handle.addEventListener('pointerdown', (event) => {
      dragging = true;
      handle.setPointerCapture(event.pointerId);
      event.preventDefault();
      handle.focus();
    });
    handle.addEventListener('pointermove', (event) => { if (dragging) this.move(which, this.timeAt(event)); });
    const stop = (event) => {
      if (!dragging) return;
      dragging = false;
      handle.releasePointerCapture(event.pointerId);
    };
    handle.addEventListener('pointerup', stop);
    handle.addEventListener('pointercancel', stop);
    handle.addEventListener('keydown', (event) => {
      const step = event.shiftKey ? 1 : 0.1;
      const now = this[which];
      const moves = {
        ArrowLeft: now - step, ArrowDown: now - step, ArrowRight: now + step, ArrowUp: now + step,
        PageDown: now - 5, PageUp: now + 5, Home: 0, End: this.full(),
      };
      if (!(event.key in moves)) return;
      event.preventDefault();
      this.move(which, moves[event.key]);
    });
  }

  timeAt(event) {
    const rect = this.timeline.getBoundingClientRect();
    return Math.max(0, Math.min(1, (event.clientX - rect.left) / rect.width)) * this.full();
  }

  /** Move one handle, never closer than MIN_LENGTH to the other nor past either end. */
  move(which, seconds) {
    const full = this.full();
    if (which === 'start') this.start = clamp(seconds, 0, Math.max(0, this.end - MIN_LENGTH));
    else this.end = clamp(seconds, Math.min(full, this.start + MIN_LENGTH), full);
    for (const input of Object.values(this.inputs)) input.removeAttribute('aria-invalid');
    this.error('');
    this.render();
  }

  typed(which) {
    const value = parseFloat(this.inputs[which].value);
    const full = this.full();
    const other = which === 'start' ? this.end : this.start;
    let problem = '';
    if (!Number.isFinite(value)) problem = `Type the ${which} in seconds, for example 12.5.`;
    else if (value < 0) problem = 'The start cannot be before the beginning of the video.';
    else if (value > full + EDGE) problem = `The end cannot be after the end of the video (${formatPrecise(full)}).`;
    else if (which === 'start' ? value >= other : value <= other) problem = 'The start must come before the end.';
    else if (Math.abs(other - value) < MIN_LENGTH) problem = `The trimmed video must be at least ${MIN_LENGTH} second long.`;
    if (problem) {
      this.error(problem);
      this.inputs[which].setAttribute('aria-invalid', 'true');
      return;
    }
    this.inputs[which].removeAttribute('aria-invalid');
    this.move(which, Math.min(value, full));
  }

  render() {
    const full = this.full() || 1;
    const pct = (t) => `${(t / full) * 100}%`;
    this.handles.start.style.left = pct(this.start);
    this.handles.end.style.left = pct(this.end);
    $('trim-shade-start').style.width = pct(this.start);
    $('trim-shade-end').style.left = pct(this.end);
    $('trim-shade-end').style.width = pct(full - this.end);
    for (const which of ['start', 'end']) {
      const handle = this.handles[which];
      handle.setAttribute('aria-valuemin', '0');
      handle.setAttribute('aria-valuemax', String(round(full)));
      handle.setAttribute('aria-valuenow', String(round(this[which])));
      handle.setAttribute('aria-valuetext', formatPrecise(this[which]));
      // A refused typed value stays as typed (with its error) until the handle moves.
      if (this.inputs[which].getAttribute('aria-invalid') !== 'true') this.inputs[which].value = String(round(this[which], 1));
      this.inputs[which].max = String(round(full, 1));
    }
    $('trim-kept').textContent = `Keeps ${formatPrecise(this.end - this.start)} of ${formatPrecise(full)}`
      + ` (from ${formatPrecise(this.start)} to ${formatPrecise(this.end)}).`;
    drawWaveform($('trim-wave'), this.wave, full, this.start, this.end);
    this.renderStrip();
  }

  /** The video changed on the server (status poll, a save): new pictures may have arrived. */
  update() {
    if (!this.root.hidden) this.loadPictures();
  }

  /** The storyboard and the waveform, once per URL; either may be missing (too short, no sound). */
  loadPictures() {
    const info = this.player.info();
    const noWave = $('trim-no-wave');
    if (info.has_audio === false) {
      noWave.hidden = false;
    } else if (info.waveform_url && info.waveform_url !== this.waveUrl) {
      this.waveUrl = info.waveform_url;
      loadWaveform(info.waveform_url).then((wave) => { this.wave = wave; noWave.hidden = true; this.render(); })
        .catch(() => { noWave.textContent = 'The waveform could not be loaded.'; noWave.hidden = false; });
    } else if (!info.waveform_url) {
      noWave.textContent = ['ready', 'failed'].includes(info.status) ? 'No waveform was made for this video yet.'
        : 'The waveform appears once processing has finished.';
      noWave.hidden = false;
    } else {
      noWave.hidden = true;
    }
    const url = info.playback && info.playback.storyboard;
    if (url && url !== this.loadedStoryboard) {
      this.loadedStoryboard = url;
      // The storyboard belongs to the renditions: shift its cues by the trim baked into them.
      const offset = info.playback.renditions_trim ? info.playback.renditions_trim.start : 0;
      loadStoryboard(url).then((cues) => {
        this.cues = cues.map((c) => ({ ...c, start: c.start + offset, end: c.end + offset }));
        this.strip = null;
        this.render();
      }).catch(() => { this.loadedStoryboard = null; });
    }
  }

  renderStrip() {
    const strip = $('trim-strip');
    const width = strip.clientWidth;
    const height = strip.clientHeight;
    if (!this.cues.length || !width || !height) return;
    const key = `${width}x${height}:${this.cues.length}`;
    if (this.strip === key) return;
    this.strip = key;
    const first = this.cues[0];
    const tileWidth = Math.max(1, height * (first.w / first.h));
    const count = Math.max(1, Math.ceil(width / tileWidth));
    const sheetWidth = Math.max(...this.cues.map((c) => c.x + c.w));
    const sheetHeight = Math.max(...this.cues.map((c) => c.y + c.h));
    const full = this.full();
    strip.replaceChildren();
    for (let i = 0; i < count; i += 1) {
      const t = ((i + 0.5) / count) * full;
      const tile = document.createElement('div');
      tile.className = 'trim-tile';
      tile.style.width = `${tileWidth}px`;
      const inside = this.cues[0].start <= t && t <= this.cues[this.cues.length - 1].end;
      const cue = inside ? cueAt(this.cues, t) : null;
      if (cue) {
        const scale = height / cue.h;
        tile.style.backgroundImage = `url("${cue.url.replace(/"/g, '%22')}")`;
        tile.style.backgroundSize = `${sheetWidth * scale}px ${sheetHeight * scale}px`;
        tile.style.backgroundPosition = `-${cue.x * scale}px -${cue.y * scale}px`;
      }
      strip.append(tile);
    }
  }

  preview() {
    this.previewing = true;
    $('trim-preview').textContent = 'Stop preview';
    this.player.previewRange(this.start, this.end);
  }

  stopPreview() {
    if (!this.previewing) return;
    this.player.stopPreview();
    this.previewEnded();
  }

  previewEnded() {
    this.previewing = false;
    $('trim-preview').textContent = 'Preview';
  }

  async send(method, url, data, done) {
    this.stopPreview();
    const buttons = this.root.querySelectorAll('.buttons button');
    for (const b of buttons) b.disabled = true;
    this.message('');
    try {
      const resp = await sendJSON(url, method, data);
      if (!resp.ok) {
        this.error(resp.body?.error || `That did not work (${resp.status}). Please try again.`);
        return;
      }
      this.error('');
      this.onSaved(resp.body);
      this.reset(resp.body);
      this.message(`${done} The shared link is unchanged; the new version is being prepared and already plays trimmed.`);
    } catch {
      this.error('Parley could not be reached. Nothing was changed; please try again.');
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  }

  error(text) {
    const el = $('trim-error');
    el.textContent = text;
    el.hidden = !text;
  }

  message(text) {
    $('trim-message').textContent = text;
  }
}

function clamp(x, lo, hi) {
  return Math.max(lo, Math.min(hi, x));
}

function round(x, digits = 3) {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}
