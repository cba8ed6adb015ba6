// The video's chapters: a list under the player that seeks and follows playback, ticks on the scrub bar, and the
// owner's editor (PUT replaces them, DELETE goes back to the automatic ones). Times are the viewer's. Ticks and
// rows are buttons named "Chapter 2: Setup, 1:05": Tab reaches them, Enter or Space goes there.
import { playerReady } from './player-api.js';
import { csrfToken } from './http.js';
import { formatClock, parseTimecode } from './timecode.js';

const root = document.getElementById('chapters');
const list = document.getElementById('chapters-list');
const marks = document.getElementById('scrub-chapters');
const SOURCES = { description: 'From the description', owner: 'Set by the owner', auto: 'Found automatically' };
let chapters = [];
let source = 'none';
let player = null;

function send(method, body) {
  return fetch(root.dataset.url, {
    method, credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(), Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function currentIndex(t) {
  let at = -1;
  chapters.forEach((c, i) => { if (c.start <= t + 0.05) at = i; });
  return at;
}

const nameOf = (c, i) => `Chapter ${i + 1}: ${c.title}, ${formatClock(c.start)}`;

/** `button` goes to `start` when clicked, or on Enter or Space. */
function seeksTo(button, start) {
  button.addEventListener('click', () => player && player.seek(start));
  // Space is the page's play/pause shortcut, which would take the key before the button is activated.
  button.addEventListener('keydown', (e) => {
    if (e.key !== ' ' || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    e.stopPropagation();
    if (player) player.seek(start);
  });
}

function render() {
  list.replaceChildren();
  chapters.forEach((c, i) => {
    const li = document.createElement('li');
    const row = document.createElement('button');
    row.type = 'button';
    row.className = 'chapter-row';
    row.setAttribute('aria-label', nameOf(c, i));
    row.dataset.index = String(i);
    const time = document.createElement('span');
    time.className = 'chapter-time';
    time.textContent = formatClock(c.start);
    const title = document.createElement('span');
    title.className = 'chapter-title';
    title.textContent = c.title;
    row.append(time, title);
    seeksTo(row, c.start);
    li.append(row);
    list.append(li);
  });
  list.hidden = chapters.length === 0;
  document.getElementById('chapters-source').textContent = chapters.length ? SOURCES[source] || '' : '';
  root.hidden = chapters.length === 0 && root.dataset.canEdit !== 'true';
  renderMarks();
  highlight();
}

function renderMarks() {
  if (!marks) return;
  marks.replaceChildren();
  const length = player ? player.duration() : 0;
  if (!length) return;
  chapters.forEach((c, i) => {
    if (i === 0) return;  // no tick at the start
    const mark = document.createElement('button');
    mark.type = 'button';
    mark.className = 'scrub-chapter-mark';
    mark.style.left = `${Math.min(100, (c.start / length) * 100)}%`;
    mark.title = c.title;
    mark.setAttribute('aria-label', nameOf(c, i));
    seeksTo(mark, c.start);
    marks.append(mark);
  });
}

// Inside the Seek slider the ticks could not be buttons (a slider's content is not read out, and a click there
// seeks to the pointer): they move beside it, in the controls, laid over the track; Tab reaches them after it.
function liftMarks() {
  const scrub = document.getElementById('scrub');
  if (!marks || !scrub) return;
  marks.removeAttribute('aria-hidden');
  marks.setAttribute('role', 'group');
  marks.setAttribute('aria-label', 'Chapters on the timeline');
  marks.classList.add('over-scrub');
  scrub.after(marks);
  const place = () => {
    marks.style.left = `${scrub.offsetLeft}px`;
    marks.style.top = `${scrub.offsetTop}px`;
    marks.style.width = `${scrub.offsetWidth}px`;
    marks.style.height = `${scrub.offsetHeight}px`;
  };
  place();
  new ResizeObserver(place).observe(scrub);
}

function highlight() {
  if (!player) return;
  const at = currentIndex(player.currentTime());
  list.querySelectorAll('.chapter-row').forEach((row) => {
    const on = Number(row.dataset.index) === at;
    row.classList.toggle('current', on);
    if (on) row.setAttribute('aria-current', 'true'); else row.removeAttribute('aria-current');
  });
}

// The scrub preview names the chapter under the pointer, beside its time.
function labelPreview() {
  const scrub = document.getElementById('scrub');
  const preview = document.getElementById('scrub-preview');
  if (!scrub || !preview) return;
  const label = document.createElement('span');
  label.className = 'scrub-chapter-label';
  label.id = 'scrub-chapter-label';
  preview.prepend(label);
  scrub.addEventListener('pointermove', (e) => {
    const box = scrub.getBoundingClientRect();
    const t = ((e.clientX - box.left) / box.width) * (player ? player.duration() : 0);
    const at = currentIndex(t);
    label.textContent = at >= 0 ? chapters[at].title : '';
  });
}

async function load() {
  const resp = await fetch(root.dataset.url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!resp.ok) return;
  apply(await resp.json());
}

function apply(data) {
  chapters = data.chapters || [];
  source = data.source || 'none';
  render();
}

// -- the owner's editor --
const editor = document.getElementById('chapters-editor');
const rows = document.getElementById('chapters-rows');
const error = document.getElementById('chapters-error');
const toggle = document.getElementById('chapters-edit');

function showError(message) {
  error.textContent = message;
  error.hidden = !message;
}

function addRow(start, title) {
  const li = document.createElement('li');
  const n = rows.children.length + 1;
  li.innerHTML = `<input type="text" class="chapter-start" inputmode="numeric" aria-label="Start of chapter ${n}" placeholder="0:00">
    <input type="text" class="chapter-title" maxlength="100" aria-label="Title of chapter ${n}" placeholder="Title">
    <button type="button" class="chapter-remove" aria-label="Remove chapter ${n}">Remove</button>`;
  li.querySelector('.chapter-start').value = formatClock(start);
  li.querySelector('.chapter-title').value = title;
  li.querySelector('.chapter-remove').addEventListener('click', () => li.remove());
  const after = [...rows.children].find((r) => (parseTimecode(r.querySelector('.chapter-start').value) ?? 0) > start);
  rows.insertBefore(li, after || null);
  return li;
}

function openEditor(open) {
  editor.hidden = !open;
  toggle.setAttribute('aria-expanded', String(open));
  showError('');
  if (!open) return;
  rows.replaceChildren();
  const start = chapters.length ? chapters : [{ start: 0, title: 'Intro' }];
  start.forEach((c) => addRow(c.start, c.title));
  document.getElementById('chapters-description-note').hidden = source !== 'description';
  rows.querySelector('.chapter-title')?.focus();
}

function collect() {
  const out = [];
  for (const [i, li] of [...rows.children].entries()) {
    const raw = li.querySelector('.chapter-start').value;
    const start = parseTimecode(raw);
    if (start == null) throw new Error(`Chapter ${i + 1}: “${raw}” is not a time like 1:05.`);
    out.push({ start, title: li.querySelector('.chapter-title').value.trim() });
  }
  return out;
}

async function save(method, body) {
  showError('');
  const resp = await send(method, body);
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) { showError(data.error || `Saving failed (${resp.status}).`); return; }
  apply(data);
  openEditor(false);
  toggle.focus();
}

if (editor) {
  toggle.addEventListener('click', () => openEditor(editor.hidden));
  document.getElementById('chapters-add').addEventListener('click', () => {
    const last = [...rows.children].pop();
    const at = last ? (parseTimecode(last.querySelector('.chapter-start').value) ?? 0) + 30 : 0;
    addRow(at, '').querySelector('.chapter-title').focus();
  });
  document.getElementById('chapters-add-now').addEventListener('click', () => {
    addRow(Math.floor(player ? player.currentTime() : 0), '').querySelector('.chapter-title').focus();
  });
  document.getElementById('chapters-cancel').addEventListener('click', () => openEditor(false));
  document.getElementById('chapters-auto').addEventListener('click', () => save('DELETE'));
  editor.addEventListener('submit', (e) => {
    e.preventDefault();
    let body;
    try { body = { chapters: collect() }; } catch (err) { showError(err.message); return; }
    save('PUT', body);
  });
}

liftMarks();
load();
playerReady().then((api) => {
  player = api;
  labelPreview();
  renderMarks();
  highlight();
  api.video.addEventListener('timeupdate', highlight);
  api.video.addEventListener('seeked', highlight);
  api.video.addEventListener('loadedmetadata', renderMarks);
  api.video.addEventListener('durationchange', renderMarks);
});
