// Resumable upload with tus: drop or pick a file, show progress, survive dropped connections, open the video.
import { csrfToken } from './http.js';
import { RateMeter, formatBytes, formatDuration, setBar } from './progress.js';

const form = document.getElementById('upload-form');
const fileInput = document.getElementById('file');
const titleInput = document.getElementById('title');
const dropzone = document.getElementById('dropzone');
const panel = document.getElementById('upload-status');
// Outside the panel, which hides on cancel: a live region that disappears announces nothing.
const notice = document.getElementById('upload-notice');
const bar = document.getElementById('upload-bar');
const barBox = document.getElementById('upload-progress');
const percentText = document.getElementById('upload-percent');
const speedText = document.getElementById('upload-speed');
const etaText = document.getElementById('upload-eta');
const stateText = document.getElementById('upload-state');
const pauseButton = document.getElementById('upload-pause');
const cancelButton = document.getElementById('upload-cancel');

const endpoint = form.dataset.tusEndpoint;
const maxBytes = Number(form.dataset.maxBytes) || Infinity;
const CHUNK = 32 * 1024 * 1024;
// Remembers which watch page an upload belongs to, so a resumed upload (after a reload) can still go there.
const VIDEO_KEY = 'parley-upload-video:';

let upload = null;
let paused = false;
const meter = new RateMeter();

// With JavaScript the file starts uploading as soon as it is chosen; the plain submit is the no-JS path.
document.getElementById('plain-submit').hidden = true;
form.classList.add('enhanced');
document.getElementById('plain-hint').hidden = true;

function setState(state, text) {
  stateText.dataset.state = state;
  stateText.textContent = text;
  stateText.classList.toggle('error', state === 'error');
  barBox.classList.toggle('paused', state === 'paused' || state === 'retrying');
  barBox.classList.toggle('done', state === 'done');
  panel.dataset.state = state;
}

function showProgress(sent, total) {
  const percent = total ? (sent / total) * 100 : 0;
  setBar(barBox, bar, percent);
  percentText.textContent = `${Math.floor(percent)}%`;
  const rate = meter.add(sent);
  if (rate > 0) {
    speedText.textContent = `${formatBytes(rate)}/s`;
    etaText.textContent = formatDuration((total - sent) / rate);
  }
}

function rememberVideo(uploadUrl, videoUrl) {
  try {
    if (uploadUrl && videoUrl) localStorage.setItem(VIDEO_KEY + uploadUrl, videoUrl);
  } catch { /* storage full or disabled: the redirect falls back to the library */ }
}

function recalledVideo(uploadUrl) {
  try {
    return uploadUrl ? localStorage.getItem(VIDEO_KEY + uploadUrl) : null;
  } catch {
    return null;
  }
}

function forget(uploadUrl) {
  try { localStorage.removeItem(VIDEO_KEY + uploadUrl); } catch { /* nothing to forget */ }
}

function shouldRetry(err) {
  // The same rule as tus-js-client's default (server errors, 409/423, no response), plus telling the user.
  const status = err.originalResponse ? err.originalResponse.getStatus() : 0;
  const retry = (status < 400 || status >= 500 || status === 409 || status === 423) && navigator.onLine !== false;
  if (retry) setState('retrying', 'Connection lost. Retrying…');
  return retry;
}

function errorMessage(err) {
  const res = err && err.originalResponse;
  if (res) {
    const body = res.getBody && res.getBody();
    try {
      const parsed = JSON.parse(body);
      if (parsed && parsed.error) return parsed.error;
    } catch { /* not JSON */ }
    if (body && body.length < 300 && !/^\s*</.test(body)) return body;
    return `The server refused the upload (HTTP ${res.getStatus()}).`;
  }
  return 'The upload stopped: the server cannot be reached. Check your connection and press Resume.';
}

async function startUpload(file) {
  notice.hidden = true;
  if (upload) return;
  if (file.size > maxBytes) {
    panel.hidden = false;
    document.getElementById('upload-name').textContent = file.name;
    setState('error', `This file is ${formatBytes(file.size)}; the largest upload allowed is ${formatBytes(maxBytes)}.`);
    return;
  }
  panel.hidden = false;
  form.classList.add('busy');
  fileInput.disabled = true;
  document.getElementById('upload-name').textContent = `${file.name} · ${formatBytes(file.size)}`;
  setState('uploading', 'Uploading…');
  let videoUrl = null;

  upload = new window.tus.Upload(file, {
    endpoint,
    chunkSize: CHUNK,
    retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000],
    removeFingerprintOnSuccess: true,
    headers: { 'X-CSRFToken': csrfToken() },
    metadata: { filename: file.name, filetype: file.type || 'application/octet-stream', title: titleInput.value.trim() },
    onShouldRetry: shouldRetry,
    onAfterResponse(_req, res) {
      const url = res.getHeader('Parley-Video-Url');
      if (url) {
        videoUrl = url;
        rememberVideo(upload.url, url);
      }
    },
    onUploadUrlAvailable() {
      rememberVideo(upload.url, videoUrl);
    },
    onProgress(sent, total) {
      if (!paused && stateText.dataset.state !== 'uploading') setState('uploading', 'Uploading…');
      showProgress(sent, total);
    },
    onSuccess() {
      setBar(barBox, bar, 100);
      percentText.textContent = '100%';
      etaText.textContent = 'done';
      setState('done', 'Upload complete. Opening the video…');
      pauseButton.hidden = true;
      cancelButton.hidden = true;
      const target = videoUrl || recalledVideo(upload.url) || '/videos';
      forget(upload.url);
      window.location.assign(target);
    },
    onError(err) {
      setState('error', errorMessage(err));
      paused = true;
      pauseButton.textContent = 'Resume';
    },
  });

  try {
    const previous = await upload.findPreviousUploads();
    if (previous.length) {
      upload.resumeFromPreviousUpload(previous[0]);
      videoUrl = recalledVideo(previous[0].uploadUrl);
      setState('uploading', 'Resuming the earlier upload of this file…');
    }
  } catch { /* no stored uploads: start fresh */ }
  meter.reset();
  upload.start();
}

pauseButton.addEventListener('click', () => {
  if (!upload) return;
  if (paused) {
    paused = false;
    pauseButton.textContent = 'Pause';
    setState('uploading', 'Uploading…');
    meter.reset();
    upload.start();
  } else {
    paused = true;
    upload.abort();
    pauseButton.textContent = 'Resume';
    setState('paused', 'Paused. Press Resume to continue where it stopped.');
    speedText.textContent = '–';
    etaText.textContent = '–';
  }
});

cancelButton.addEventListener('click', async () => {
  if (!upload) return;
  const current = upload;
  upload = null;
  paused = false;
  // abort(true) also deletes the partial upload on the server and forgets it locally.
  try { await current.abort(true); } catch { /* already gone */ }
  if (current.url) forget(current.url);
  panel.hidden = true;
  fileInput.disabled = false;
  fileInput.value = '';
  pauseButton.textContent = 'Pause';
  form.classList.remove('busy');
  const name = current.file && current.file.name ? ` “${current.file.name}” was not kept.` : '';
  notice.textContent = `Upload cancelled.${name} Choose a file to start again.`;
  notice.hidden = false;
});

fileInput.addEventListener('change', () => {
  if (fileInput.files.length) startUpload(fileInput.files[0]);
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (fileInput.files.length) startUpload(fileInput.files[0]);
});

for (const type of ['dragenter', 'dragover']) {
  dropzone.addEventListener(type, (event) => {
    event.preventDefault();
    dropzone.classList.add('dragover');
  });
}
for (const type of ['dragleave', 'drop']) {
  dropzone.addEventListener(type, () => dropzone.classList.remove('dragover'));
}
dropzone.addEventListener('drop', (event) => {
  event.preventDefault();
  const file = event.dataTransfer && event.dataTransfer.files[0];
  if (file) startUpload(file);
});
// A file dropped just outside the zone would otherwise make the browser navigate away to play it.
window.addEventListener('dragover', (event) => event.preventDefault());
window.addEventListener('drop', (event) => event.preventDefault());

window.addEventListener('beforeunload', (event) => {
  if (upload && !paused && stateText.dataset.state !== 'done') {
    event.preventDefault();
    event.returnValue = '';
  }
});
