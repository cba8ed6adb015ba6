// The library grid: progress widths from data attributes (CSP forbids inline styles) and live badges.
import { formatClock } from './timecode.js';
import { pollStatus } from './status.js';

function setProgress(bar, percent) {
  if (bar) bar.style.width = `${Math.max(0, Math.min(100, percent || 0))}%`;
}

function update(card, info) {
  card.dataset.status = info.status;
  const badge = card.querySelector('[data-role=badge]');
  badge.textContent = info.status;
  badge.className = `badge badge-${info.status}`;
  badge.hidden = info.status === 'ready';
  const bar = card.querySelector('[data-role=progress]');
  setProgress(bar, info.progress);
  if (bar && (info.status === 'ready' || info.status === 'failed')) bar.parentElement.remove();
  if (info.duration != null) {
    const duration = card.querySelector('[data-role=duration]');
    duration.textContent = formatClock(Math.round(info.duration));
    duration.hidden = false;
  }
  const placeholder = card.querySelector('.thumb-placeholder');
  if (placeholder && info.status === 'failed') {
    // The reason takes the play icon's place: nothing will play, and the card says why.
    const reason = document.createElement('p');
    reason.className = 'thumb-failed';
    reason.dataset.role = 'reason';
    reason.textContent = info.error || 'This video could not be processed.';
    placeholder.replaceWith(reason);
  } else if (placeholder && info.playback && info.playback.poster) {
    const img = document.createElement('img');
    img.src = info.playback.poster;
    img.alt = '';
    placeholder.replaceWith(img);
  }
}

for (const time of document.querySelectorAll('.video-card time[datetime]')) {
  const date = new Date(time.dateTime);
  if (!Number.isNaN(date.getTime())) time.textContent = date.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

const cards = [...document.querySelectorAll('.video-card')];
const live = cards.filter((card) => card.dataset.statusUrl);
// Many videos in flight must not flood the server: about two status requests a second in all.
const interval = Math.max(2000, live.length * 500);
for (const card of cards) {
  const bar = card.querySelector('[data-role=progress]');
  setProgress(bar, Number(bar && bar.dataset.progress));
}
for (const card of live) {
  pollStatus(card.dataset.statusUrl, (info) => update(card, info), { interval, maxInterval: Math.max(10000, interval) });
}
