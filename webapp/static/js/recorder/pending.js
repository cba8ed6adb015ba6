// On any page: offer to finish recordings that an earlier page (closed, crashed, or offline) left unfinished.
import { formatBytes, setBar } from '../progress.js';
import { discardPending, pendingUploads, resumeUpload } from './stream-upload.js';
import { chunksOf } from './chunk-store.js';

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function when(ms) {
  const date = new Date(ms);
  const sameDay = date.toDateString() === new Date().toDateString();
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return sameDay ? `today at ${time}` : `${date.toLocaleDateString([], { dateStyle: 'medium' })} at ${time}`;
}

async function storedBytes(record) {
  const chunks = await chunksOf(record.id).catch(() => []);
  const end = chunks.reduce((max, c) => Math.max(max, c.start + c.size), record.ackedOffset);
  return { sent: record.ackedOffset, total: record.totalBytes ?? end };
}

/** Render a notice per unfinished recording into `container` (#pending-recordings by default). */
export async function offerPending(container = document.getElementById('pending-recordings')) {
  if (!container) return [];
  const records = await pendingUploads().catch(() => []);
  const notices = [];
  for (const record of records) {
    const { sent, total } = await storedBytes(record);
    if (!total) { // the recording never got a byte: nothing to offer
      discardPending(record.id).catch(() => {});
      continue;
    }
    if (container.querySelector(`[data-recording="${CSS.escape(record.id)}"]`)) continue; // offered already
    notices.push(render(container, record, sent, total));
  }
  return notices;
}

function render(container, record, sent, total) {
  const time = el('time', { dateTime: new Date(record.createdAt).toISOString(), textContent: when(record.createdAt) });
  const named = record.title ? ` (“${record.title}”)` : '';
  const text = el('p', { className: 'pending-text' }, 'A recording from ', time, `${named} was not fully uploaded.`);
  const bar = el('div', { className: 'progress-bar' });
  const box = el('div', { className: 'progress' }, bar);
  Object.entries({ role: 'progressbar', 'aria-label': 'Upload of the recording', 'aria-valuemin': '0',
    'aria-valuemax': '100' }).forEach(([k, v]) => box.setAttribute(k, v));
  const status = el('p', { className: 'pending-status',
    textContent: `${formatBytes(sent)} of ${formatBytes(total)} reached the server; the rest is kept in this browser.` });
  status.setAttribute('role', 'status');
  const finish = el('button', { type: 'button', className: 'button primary', textContent: 'Finish upload' });
  const discard = el('button', { type: 'button', className: 'danger', textContent: 'Discard' });
  const actions = el('div', { className: 'pending-actions' }, finish, discard);
  const notice = el('div', { className: 'pending-recording flash flash-info' }, text, box, status, actions);
  notice.dataset.recording = record.id;
  setBar(box, bar, (sent / total) * 100);
  container.append(notice);

  const busy = (on) => { finish.disabled = on; discard.disabled = on; };
  finish.addEventListener('click', async () => {
    busy(true);
    status.textContent = 'Uploading the rest of the recording…';
    try {
      const rec = await resumeUpload(record.id);
      rec.addEventListener('progress', ({ detail }) => {
        if (detail.total) setBar(box, bar, (detail.acked / detail.total) * 100);
      });
      rec.addEventListener('state', ({ detail }) => {
        if (detail.state !== 'done') status.textContent = detail.message;
        notice.dataset.state = detail.state;
      });
      const { videoUrl } = await rec.finish();
      setBar(box, bar, 100);
      box.classList.add('done');
      text.replaceChildren('The recording from ', time, `${named} is uploaded.`);
      const link = el('a', { href: videoUrl || '/videos', textContent: 'Open the video', className: 'pending-link' });
      status.replaceChildren(link);
      actions.remove();
    } catch (err) {
      status.textContent = err.message;
      notice.dataset.state = 'error';
      busy(false);
    }
  });
  discard.addEventListener('click', async () => {
    const sure = 'Discard this recording? It is deleted from this computer and from the server, and cannot be recovered.';
    if (!window.confirm(sure)) return;
    busy(true);
    try {
      await discardPending(record.id);
      notice.remove();
    } catch (err) {
      status.textContent = err.message;
      busy(false);
    }
  });
  return notice;
}
