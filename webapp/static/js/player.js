// The watch page: source choice and upgrades, custom controls, shortcuts, deep links, live processing status.
import { formatClock, startTimeFromLocation } from './timecode.js';
import { SourceManager, bestSource } from './sources.js';
import { ScrubBar } from './scrub.js';
import { loadStoryboard } from './storyboard.js';
import { isFinal, pollStatus } from './status.js';

const $ = (id) => document.getElementById(id);
const info = JSON.parse($('video-data').textContent);
const video = $('video');
const player = $('player');
const overlay = $('player-overlay');
const playButton = $('play');
const muteButton = $('mute');
const speed = $('speed');
const scrub = new ScrubBar($('scrub'), video, { duration: info.duration });

// The page works without JavaScript through native controls; from here on the custom controls take over.
video.controls = false;
for (const plain of video.querySelectorAll('source')) plain.remove();
player.classList.add('enhanced');

let pendingStart = startTimeFromLocation();
let storyboardUrl = null;

const sources = new SourceManager(video, {
  onAttach(_source, first) {
    overlay.hidden = true;
    player.classList.remove('no-source');
    if (first && pendingStart != null) {
      video.currentTime = Math.min(pendingStart, video.duration || pendingStart);
      pendingStart = null;
    }
  },
});

function togglePlay() {
  if (!sources.current) return;
  if (video.paused || video.ended) video.play().catch(() => {});
  else video.pause();
}

function seekBy(delta) {
  if (!sources.current) return;
  const end = Number.isFinite(video.duration) ? video.duration : scrub.duration();
  video.currentTime = Math.max(0, Math.min(end || Infinity, video.currentTime + delta));
}

function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else player.requestFullscreen().catch(() => {});
}

function toggleMute() {
  video.muted = !video.muted;
}

function applyPlayback(playback) {
  if (playback.poster && video.getAttribute('poster') !== playback.poster) video.poster = playback.poster;
  sources.offer(bestSource(video, playback));
  if (playback.storyboard && playback.storyboard !== storyboardUrl) {
    storyboardUrl = playback.storyboard;
    loadStoryboard(storyboardUrl).then((cues) => scrub.setStoryboard(cues)).catch(() => { storyboardUrl = null; });
  }
}

function setProgress(percent) {
  const value = Math.max(0, Math.min(100, Math.round(percent || 0)));
  $('processing-bar').style.width = `${value}%`;
  $('processing-progress').setAttribute('aria-valuenow', String(value));
  $('progress-text').textContent = `${value}%`;
}

function applyStatus(next) {
  const badge = $('status-badge');
  badge.textContent = next.status;
  badge.className = `badge badge-${next.status}`;
  $('processing').hidden = isFinal(next.status);
  if (next.stage) $('stage-text').textContent = next.stage;
  setProgress(next.progress);
  $('failure').hidden = next.status !== 'failed';
  if (next.status === 'failed') $('error-text').textContent = next.error || 'The video could not be processed.';
  if (next.duration != null) {
    $('duration-text').textContent = formatClock(Math.round(next.duration));
    $('duration-meta').hidden = false;
    scrub.setFallbackDuration(next.duration);
    if (!Number.isFinite(video.duration)) $('total-time').textContent = formatClock(next.duration);
  }
  applyPlayback(next.playback || {});
  const playable = Boolean(sources.current);
  player.classList.toggle('no-source', !playable);
  overlay.hidden = playable;
  $('overlay-preparing').hidden = next.status === 'failed';
  $('overlay-failed').hidden = next.status !== 'failed';
}

// Controls
playButton.addEventListener('click', togglePlay);
video.addEventListener('click', togglePlay);
muteButton.addEventListener('click', toggleMute);
$('fullscreen').addEventListener('click', toggleFullscreen);
video.addEventListener('dblclick', toggleFullscreen);
speed.addEventListener('change', () => { video.playbackRate = parseFloat(speed.value); });
video.addEventListener('ratechange', () => { speed.value = String(video.playbackRate); });

const syncPlay = () => {
  const playing = !video.paused && !video.ended;
  playButton.textContent = playing ? '❚❚ Pause' : '▶ Play';
  playButton.setAttribute('aria-label', playing ? 'Pause (k)' : 'Play (k)');
  player.classList.toggle('playing', playing);
};
for (const type of ['play', 'pause', 'ended']) video.addEventListener(type, syncPlay);
video.addEventListener('volumechange', () => {
  muteButton.textContent = video.muted ? 'Unmute' : 'Mute';
  muteButton.setAttribute('aria-pressed', String(video.muted));
});
video.addEventListener('timeupdate', () => { $('current-time').textContent = formatClock(video.currentTime); });
video.addEventListener('durationchange', () => {
  if (Number.isFinite(video.duration)) $('total-time').textContent = formatClock(video.duration);
});

$('copy-link').addEventListener('click', async (event) => {
  const button = event.currentTarget;
  const url = new URL(info.url, window.location.href);
  url.searchParams.set('t', String(Math.floor(video.currentTime)));
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(url.href);
    button.textContent = 'Link copied';
  } catch {
    window.prompt('Copy this link:', url.href);
  }
  setTimeout(() => { button.textContent = label; }, 1500);
});

// Shortcuts work anywhere on the page except while typing.
function isTyping(target) {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

document.addEventListener('keydown', (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
  const actions = {
    ' ': togglePlay,
    k: togglePlay,
    ArrowLeft: () => seekBy(-5),
    ArrowRight: () => seekBy(5),
    f: toggleFullscreen,
    m: toggleMute,
  };
  const action = actions[event.key.length === 1 ? event.key.toLowerCase() : event.key];
  if (!action) return;
  event.preventDefault();
  action();
});

// A changed fragment (#t=...) on the same page seeks too.
window.addEventListener('hashchange', () => {
  const seconds = startTimeFromLocation();
  if (seconds == null) return;
  if (sources.current && video.readyState >= 1) video.currentTime = seconds;
  else pendingStart = seconds;
});

const created = $('created-at');
const createdDate = new Date(created.dateTime);
if (!Number.isNaN(createdDate.getTime())) created.textContent = createdDate.toLocaleDateString(undefined, { dateStyle: 'medium' });

applyStatus(info);
if (!isFinal(info.status)) pollStatus($('watch').dataset.statusUrl, applyStatus);
