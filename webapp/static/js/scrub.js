// The custom seek bar: played and buffered fill, click or drag to seek, hover preview with the storyboard.
import { formatClock } from './timecode.js';
import { cueAt } from './storyboard.js';

export class ScrubBar {
  constructor(root, video, { duration }) {
    this.root = root;
    this.video = video;
    this.fallbackDuration = duration || 0;
    this.cues = [];
    this.played = root.querySelector('#scrub-played');
    this.buffered = root.querySelector('#scrub-buffered');
    this.preview = root.querySelector('#scrub-preview');
    this.thumb = root.querySelector('#scrub-thumb');
    this.time = root.querySelector('#scrub-time');
    this.dragging = false;

    root.addEventListener('pointermove', (e) => this.hover(e));
    root.addEventListener('pointerleave', () => { if (!this.dragging) this.preview.hidden = true; });
    root.addEventListener('pointerdown', (e) => {
      this.dragging = true;
      root.setPointerCapture(e.pointerId);
      this.seekTo(this.fraction(e));
    });
    root.addEventListener('pointerup', (e) => {
      this.dragging = false;
      root.releasePointerCapture(e.pointerId);
    });
    root.addEventListener('keydown', (e) => {
      if (e.key === 'Home') this.video.currentTime = 0;
      else if (e.key === 'End') this.video.currentTime = this.duration();
      else return;
      e.preventDefault();
    });
    for (const type of ['timeupdate', 'progress', 'durationchange', 'seeked', 'loadedmetadata']) {
      video.addEventListener(type, () => this.render());
    }
  }

  duration() {
    const d = this.video.duration;
    return Number.isFinite(d) && d > 0 ? d : this.fallbackDuration;
  }

  setFallbackDuration(seconds) {
    this.fallbackDuration = seconds || this.fallbackDuration;
    this.render();
  }

  setStoryboard(cues) {
    this.cues = cues;
  }

  fraction(event) {
    const rect = this.root.getBoundingClientRect();
    return Math.max(0, Math.min(1, (event.clientX - rect.left) / rect.width));
  }

  seekTo(fraction) {
    const d = this.duration();
    if (d) this.video.currentTime = fraction * d;
  }

  hover(event) {
    const f = this.fraction(event);
    if (this.dragging) this.seekTo(f);
    const seconds = f * this.duration();
    this.time.textContent = formatClock(seconds);
    const cue = this.cues.length ? cueAt(this.cues, seconds) : null;
    if (cue) {
      this.thumb.style.width = `${cue.w}px`;
      this.thumb.style.height = `${cue.h}px`;
      this.thumb.style.backgroundImage = `url("${cue.url.replace(/"/g, '%22')}")`;
      this.thumb.style.backgroundPosition = `-${cue.x}px -${cue.y}px`;
      this.thumb.hidden = false;
    } else {
      this.thumb.hidden = true;
    }
    this.preview.hidden = false;
    // Keep the preview inside the bar so it is never cut off at either end.
    const width = this.root.getBoundingClientRect().width;
    const half = (cue ? cue.w : 40) / 2 + 2;
    const x = Math.max(half, Math.min(width - half, f * width));
    this.preview.style.left = `${x}px`;
  }

  render() {
    const d = this.duration();
    const t = this.video.currentTime || 0;
    this.played.style.width = d ? `${Math.min(100, (t / d) * 100)}%` : '0%';
    const ranges = this.video.buffered;
    const end = ranges.length ? ranges.end(ranges.length - 1) : 0;
    this.buffered.style.width = d ? `${Math.min(100, (end / d) * 100)}%` : '0%';
    this.root.setAttribute('aria-valuemax', String(Math.round(d)));
    this.root.setAttribute('aria-valuenow', String(Math.round(t)));
    this.root.setAttribute('aria-valuetext', formatClock(t));
  }
}
