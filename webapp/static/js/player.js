// The watch page: source choice and upgrades, custom controls, shortcuts, deep links, live processing status,
// and the trim applied in the browser while the renditions are rebuilt (the owner's editors live in
// video-edit.js and trim-editor.js; the transcript panel and captions in transcript.js).
import { formatClock, startTimeFromLocation } from './timecode.js';
import { SourceManager, bestSource } from './sources.js';
import { ScrubBar } from './scrub.js';
import { loadStoryboard } from './storyboard.js';
import { isFinal, pollStatus } from './status.js';
import { initVideoEdit } from './video-edit.js';
import { TrimEditor } from './trim-editor.js';
import { initTranscript } from './transcript.js';
import { providePlayer } from './player-api.js';

const $ = (id) => document.getElementById(id);
let info = JSON.parse($('video-data').textContent);
const video = $('video');
const player = $('player');
const overlay = $('player-overlay');
const playButton = $('play');
const muteButton = $('mute');
const speed = $('speed');
const EDGE = 0.05;

// What to play, in seconds of the untrimmed source: the editor's preview, else the video's trim (null: all).
let preview = null;
let previewEnded = () => {};
let editor = null;  // the owner's trim editor, told about every status change
let transcript = null;  // the transcript panel and captions, told about every status and source change
const wanted = () => preview || info.trim || null;

// The trim baked into what the <video> element plays now (the instant original never has one).
function baked() {
  const kind = sources.current && sources.current.kind;
  return kind === 'mp4' || kind === 'hls' ? (info.playback || {}).renditions_trim || null : null;
}

// Renditions can play the wanted part only if it lies inside the part they hold.
function covers(renditionsTrim) {
  const want = wanted();
  if (!renditionsTrim) return true;
  return Boolean(want) && want.start >= renditionsTrim.start - EDGE && want.end <= renditionsTrim.end + EDGE;
}

/** The part of the element's own timeline to show, or null when it should play from start to end. */
function clip() {
  const want = wanted();
  if (!want) return null;
  const b = baked();
  const offset = b ? b.start : 0;
  const length = b ? b.end - b.start : (info.source_duration || (Number.isFinite(video.duration) ? video.duration : 0));
  const start = Math.max(0, want.start - offset);
  const end = Math.min(length || Infinity, want.end - offset);
  if (start <= EDGE && end >= length - EDGE) return null;
  return { start, end };
}

/** How far the element's clock runs ahead of the viewer's (0 = the trim's start): the trim less what is baked in.
 *  Unlike clip() it ignores a preview, since the transcript's times count from the saved trim. */
function viewerOffset() {
  const b = baked();
  return Math.max(0, (info.trim ? info.trim.start : 0) - (b ? b.start : 0));
}

// The seek bar, times and keys all work in the clip's own time (0 .. its length).
class ClippedScrubBar extends ScrubBar {
  duration() {
    const c = clip();
    return c ? c.end - c.start : super.duration();
  }

  seekTo(fraction) {
    const c = clip();
    if (!c) return super.seekTo(fraction);
    video.currentTime = c.start + fraction * (c.end - c.start);
    return undefined;
  }

  render() {
    super.render();
    const c = clip();
    if (!c) return;
    const t = Math.max(0, (video.currentTime || 0) - c.start);
    const d = c.end - c.start;
    this.played.style.width = `${Math.min(100, (t / d) * 100)}%`;
    this.root.setAttribute('aria-valuemax', String(Math.round(d)));
    this.root.setAttribute('aria-valuenow', String(Math.round(t)));
    this.root.setAttribute('aria-valuetext', formatClock(t));
  }
}

const scrub = new ClippedScrubBar($('scrub'), video, { duration: info.duration });
// Home and End go to the clip's ends (caught before the seek bar's own handler, which knows no clip).
$('scrub').addEventListener('keydown', (event) => {
  const c = clip();
  if (!c || (event.key !== 'Home' && event.key !== 'End')) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  video.currentTime = event.key === 'Home' ? c.start : c.end;
}, { capture: true });

/** Keep the element inside the clip: before its start jumps there; at its end pauses. */
function enforceClip() {
  const c = clip();
  if (!c || !sources.current || video.readyState < 1) return;
  if (video.currentTime < c.start - EDGE) video.currentTime = c.start;
  else if (video.currentTime >= c.end - 0.02) {
    if (!video.paused) video.pause();
    if (preview) {
      preview = null;
      previewEnded();
      showTimes();
    } else if (video.currentTime > c.end + EDGE) video.currentTime = c.end;
  }
}

function showTimes() {
  const c = clip();
  const total = c ? c.end - c.start : (Number.isFinite(video.duration) ? video.duration : info.duration);
  $('total-time').textContent = formatClock(total || 0);
  $('current-time').textContent = formatClock(Math.max(0, (video.currentTime || 0) - (c ? c.start : 0)));
  scrub.render();
}

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
    const c = clip();
    if (first && pendingStart != null) {
      // A deep link's time counts from the start of what people see, that is from the trim's start.
      const at = (c ? c.start : 0) + pendingStart;
      video.currentTime = Math.min(at, c ? c.end : (video.duration || at));
      pendingStart = null;
    } else if (c && (video.currentTime < c.start || video.currentTime >= c.end)) {
      video.currentTime = c.start;
    }
    showTimes();
    transcript?.sourceChanged();
  },
});

function togglePlay() {
  if (!sources.current) return;
  if (video.paused || video.ended) video.play().catch(() => {});
  else video.pause();
}

function seekBy(delta) {
  if (!sources.current) return;
  const c = clip();
  const end = c ? c.end : (Number.isFinite(video.duration) ? video.duration : scrub.duration());
  video.currentTime = Math.max(c ? c.start : 0, Math.min(end || Infinity, video.currentTime + delta));
}

/** Seek to `seconds` of the viewer's time (a transcript word, a find match), inside what plays. */
function seekViewer(seconds) {
  if (!sources.current || video.readyState < 1) {
    pendingStart = seconds;  // applied when the source attaches
    return;
  }
  const c = clip();
  const at = seconds + viewerOffset();
  video.currentTime = c ? Math.max(c.start, Math.min(c.end, at)) : Math.max(0, at);
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
  // Renditions that lack part of what should play (an undone trim) give way to the untrimmed original.
  const usable = covers(playback.renditions_trim) ? playback : { ...playback, mp4: null, hls: null };
  const best = bestSource(video, usable);
  const current = sources.current;
  const offsetOf = (source) => (source && source.kind !== 'original' && usable.renditions_trim
    ? usable.renditions_trim.start : 0);
  const gone = current && ![usable.mp4, usable.hls, usable.original].includes(current.url);
  const shifted = current && best && best.url !== current.url && offsetOf(best) !== (baked() ? baked().start : 0);
  if (best && (gone || shifted)) {
    // What plays now was replaced (a rebuilt trim), cannot show the wanted part, or counts time from another
    // start: switch by hand, keeping the moment in source time and whether it was playing.
    const at = (video.currentTime || 0) + (baked() ? baked().start : 0) - offsetOf(best);
    const wasPlaying = !video.paused && !video.ended;
    sources.current = null;
    sources.offer(best);
    video.addEventListener('loadedmetadata', () => {
      if (at > 0) video.currentTime = at;
      enforceClip();
      if (wasPlaying) video.play().catch(() => {});
    }, { once: true });
  } else {
    sources.offer(best);
  }
  applyStoryboard(playback);
}

function applyStoryboard(playback) {
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
  info = next;
  const badge = $('status-badge');
  badge.textContent = next.status;
  badge.className = `badge badge-${next.status}`;
  $('processing').hidden = isFinal(next.status);
  if (next.stage) $('stage-text').textContent = next.stage;
  setProgress(next.progress);
  $('failure').hidden = next.status !== 'failed';
  if (next.status === 'failed') {
    $('error-text').textContent = next.error || 'The video could not be processed.';
    // A file that is not media fails the same way again: offer another upload instead of a retry.
    $('retry-form')?.toggleAttribute('hidden', Boolean(next.failed_for_good));
    $('failure-for-good')?.toggleAttribute('hidden', !next.failed_for_good);
  }
  if (next.duration != null) {
    $('duration-text').textContent = formatClock(Math.round(next.duration));
    $('duration-meta').hidden = false;
    scrub.setFallbackDuration(next.duration);
  }
  applyPlayback(next.playback || {});
  showTimes();
  if (editor) editor.update();
  transcript?.update(next);
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
video.addEventListener('timeupdate', () => { enforceClip(); showTimes(); });
video.addEventListener('durationchange', showTimes);
video.addEventListener('seeking', enforceClip);
video.addEventListener('play', enforceClip);
// timeupdate fires only about four times a second: watch the clip's end more closely while playing.
video.addEventListener('playing', function watchEnd() {
  if (!clip()) return;
  const tick = () => {
    enforceClip();
    if (!video.paused && !video.ended) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});

/** Put a link that starts at `seconds` (the viewer's time) on the clipboard; `button` says it did. */
async function copyLinkAt(seconds, button) {
  const url = new URL(info.url, window.location.href);
  url.searchParams.set('t', String(Math.max(0, Math.floor(seconds + 1e-6))));
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(url.href);
    button.textContent = 'Link copied';
  } catch {
    window.prompt('Copy this link:', url.href);
  }
  setTimeout(() => { button.textContent = label; }, 1500);
}

$('copy-link').addEventListener('click', (event) => {
  const c = clip();
  copyLinkAt(video.currentTime - (c ? c.start : 0), event.currentTarget);
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
    c: () => transcript?.toggleCaptions(),
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
  const c = clip();
  if (sources.current && video.readyState >= 1) video.currentTime = (c ? c.start : 0) + seconds;
  else pendingStart = seconds;
});

const created = $('created-at');
const createdDate = new Date(created.dateTime);
if (!Number.isNaN(createdDate.getTime())) created.textContent = createdDate.toLocaleDateString(undefined, { dateStyle: 'medium' });

let stopPolling = null;
function watchStatus() {
  if (stopPolling || isFinal(info.status)) return;
  stopPolling = pollStatus($('watch').dataset.statusUrl, (next) => {
    applyStatus(next);
    if (isFinal(next.status)) stopPolling = null;
  });
}

/** A change the owner made (details or trim): show it now, and follow the rebuild it may have started. */
function changed(next) {
  applyStatus(next);
  watchStatus();
}

transcript = initTranscript({
  video,
  statusUrl: $('watch').dataset.statusUrl,
  offset: viewerOffset,
  seek: seekViewer,
  copyLink: copyLinkAt,
  onStatus: (next) => applyStatus(next),
});
applyStatus(info);
watchStatus();
providePlayer({
  video,
  info: () => info,
  offset: viewerOffset,
  seek: seekViewer,
  duration: () => scrub.duration(),
  currentTime: () => Math.max(0, video.currentTime - viewerOffset()),
});
initVideoEdit({ onSaved: changed });
if ($('trim-editor')) {
  editor = new TrimEditor({
    onSaved: changed,
    player: {
      info: () => info,
      previewRange(start, end) {
        preview = { start, end };
        applyPlayback(info.playback || {});  // the renditions may not hold the part to preview
        const c = clip();
        const begin = () => {
          video.currentTime = c ? c.start : 0;
          video.play().catch(() => {});
        };
        if (sources.current && video.readyState >= 1) begin();
        else video.addEventListener('loadedmetadata', begin, { once: true });
        showTimes();
      },
      stopPreview() {
        preview = null;
        video.pause();
        applyPlayback(info.playback || {});
        showTimes();
      },
      onPreviewEnd(fn) { previewEnded = fn; },
    },
  });
}
