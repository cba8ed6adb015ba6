// Upload a recording while it is made: MediaRecorder chunks are appended to a tus upload of deferred length.
// Every chunk is saved in IndexedDB (chunk-store.js) before any network, and deleted only once the server's
// Upload-Offset covers it; dropped connections, refusals and closed tabs resume from the server's offset.
// Plain fetch() rather than tus-js-client: it uploads a whole Blob, not a stream that grows while it is sent.
import { csrfToken } from '../http.js';
import * as store from './chunk-store.js';

const MAX_PATCH = 4 * 1024 * 1024; // what queued while offline goes in PATCHes this large, each short for the server
const MIN_PATCH = 64 * 1024;
const BACKOFF_MIN = 500;
const BACKOFF_MAX = 10000;
const LOST = 'Part of this recording was never saved on this computer, so it cannot be uploaded in full.';
const KEPT = 'The recording is kept on this computer and uploads as soon as it can.';

const live = new Set(); // this page's unfinished uploads, for the question before leaving (boot.js)

class Retry extends Error {} // worth trying again later: no connection, a server error, a conflict
class Fatal extends Error {} // refused for good: retrying cannot help (the chunks stay kept)

function deferred() {
  const d = {};
  d.promise = new Promise((resolve, reject) => Object.assign(d, { resolve, reject }));
  d.promise.catch(() => {}); // a refusal nobody awaits is reported by the 'state' event, not as an unhandled error
  return d;
}

const b64 = (bytes) => btoa(String.fromCharCode(...bytes));

async function sha1(buffer) {
  if (!globalThis.crypto?.subtle) return null; // secure contexts only; the offsets still keep the order
  return b64(new Uint8Array(await crypto.subtle.digest('SHA-1', buffer)));
}

function metadata(fields) {
  return Object.entries(fields).filter(([, v]) => v != null && v !== '')
    .map(([k, v]) => `${k} ${b64(new TextEncoder().encode(String(v)))}`).join(',');
}

function tusFetch(method, url, headers = {}, body = null, ms = 15000) {
  return fetch(url, {
    method, body, credentials: 'same-origin', cache: 'no-store', redirect: 'manual', signal: AbortSignal.timeout(ms),
    // Accept: JSON makes a signed-out request a 401 rather than a redirect to the login page.
    headers: { 'Tus-Resumable': '1.0.0', 'X-CSRFToken': csrfToken(), Accept: 'application/json', ...headers },
  });
}

const remove = (url) => tusFetch('DELETE', url, {}, null, 5000).catch(() => {}); // best effort

async function reason(res) {
  const text = (await res.text().catch(() => '')).trim();
  if (text && text.length < 300 && !text.startsWith('<')) return text; // the server's words, not an error page
  return `The server refused the upload (HTTP ${res.status}).`;
}

export class RecordingUpload extends EventTarget {
  constructor(record, chunks, release) {
    super();
    const last = chunks[chunks.length - 1];
    Object.assign(this, {
      record, release, chunks, // chunks: kept chunks the server's offset does not cover yet, in order
      acked: record.ackedOffset, queued: last ? last.start + last.size : record.ackedOffset,
      nextSeq: last ? last.seq + 1 : 0, _appends: Promise.resolve(), _pumping: false, _again: false,
      _timer: null, _retryAt: 0, _delay: 0, _conflicts: 0, _maxPatch: MAX_PATCH, _needHead: Boolean(record.uploadUrl),
      _lengthSent: false, _done: false, _closed: false, _fatal: null, _trouble: null, _warnedDisk: false,
      _ready: deferred(), _finished: deferred(), _onOnline: () => this._kick(true),
    });
    if (record.uploadUrl) this._ready.resolve();
    window.addEventListener('online', this._onOnline);
    live.add(this);
  }

  /** True while any upload of this page has bytes the server has not acknowledged. */
  static anyBusy() { return [...live].some((rec) => rec.busy); }

  static async start({ endpoint = '/files/', mimeType = 'video/webm', title = '', visibility = '' } = {}) {
    const id = store.newId();
    const record = { id, uploadUrl: null, videoId: null, videoUrl: null, title, visibility, mimeType,
      endpoint: new URL(endpoint, location.href).href, createdAt: Date.now(), state: 'recording', totalBytes: null,
      ackedOffset: 0 };
    const rec = new RecordingUpload(record, [], (await store.claim(id)) || (() => {}));
    await rec._save();
    rec._kick();
    return rec;
  }

  get id() { return this.record.id; }
  get videoId() { return this.record.videoId; }
  get videoUrl() { return this.record.videoUrl; }
  get uploadUrl() { return this.record.uploadUrl; }
  get busy() {
    return !this._done && !this._closed && !this._fatal && (this.acked < this.queued || this.record.totalBytes != null);
  }

  /** Resolves once the server has created the upload (and so the video and its link). */
  ready() { return this._ready.promise; }

  /** Keep `blob` (IndexedDB first), then send it. Resolves once it is kept; never rejects. */
  append(blob) {
    if (!blob?.size || this._closed || this.record.totalBytes != null) return this._appends;
    const chunk = { recId: this.id, seq: this.nextSeq++, start: this.queued, size: blob.size, blob };
    this.queued += blob.size;
    this._appends = this._appends.then(() => this._keep(chunk));
    return this._appends;
  }

  /** Send the rest and the length; resolves {videoId, videoUrl} once the server has every byte. */
  async finish() {
    await this._appends;
    if (this._fatal) throw this._fatal;
    if (this.record.totalBytes == null) {
      Object.assign(this.record, { totalBytes: this.queued, state: 'uploading' });
      await this._save();
    }
    if (this.record.totalBytes === 0) {
      await this.discard();
      throw new Error('Nothing was recorded, so there is nothing to upload.');
    }
    this._kick(true); // the only wait after Stop is the last chunk: no backoff left over from earlier trouble
    return this._finished.promise;
  }

  /** Forget the recording: on the server (tus termination, best effort) and here. */
  async discard() {
    if (this._closed) return;
    this._closed = true;
    this._stop();
    await this._appends;
    if (this.record.uploadUrl && !this._done) await remove(this.record.uploadUrl);
    await store.forget(this.id).catch(() => {});
    this.release();
  }

  async _keep(chunk) {
    if (this._closed) return;
    try {
      await store.putChunk(chunk);
    } catch (err) { // no room on disk: the chunk stays in memory and still uploads
      if (!this._warnedDisk) {
        this._warnedDisk = true;
        const why = store.isQuotaError(err) ? 'is out of storage space' : 'cannot save it';
        this._state('error', `This browser ${why}, so the recording is no longer kept safe on this computer. `
          + 'It is kept in memory and still uploads: keep this tab open until the upload finishes.');
      }
    }
    if (this._closed) return;
    this.chunks.push(chunk);
    this._progress();
    this._kick();
  }

  async _save() {
    if (this._closed) return; // discarded: writing the record again would bring it back
    // A full disk is reported by the chunk writes; the record is written again at every acknowledgement.
    await store.putRecord(this.record).catch(() => {});
  }

  // Send now, unless a request is under way (it picks the new bytes up) or a retry is due (unless `now`).
  // Browsers throttle the timers of hidden tabs (the usual case: the person records another window) to
  // once a minute; the chunks keep coming every second, so a retry that is due goes with the next one.
  _kick(now = false) {
    if (now || (this._timer && Date.now() >= this._retryAt)) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    if (this._pumping) this._again = true;
    else if (!this._timer) this._pump();
  }

  _stop() {
    live.delete(this);
    clearTimeout(this._timer);
    window.removeEventListener('online', this._onOnline);
  }

  // One request at a time, in order, until nothing is left to send; trouble schedules a retry.
  async _pump() {
    this._pumping = true;
    try {
      do {
        this._again = false;
        while (await this._step()) { /* the next request */ }
      } while (this._again);
    } catch (err) {
      this._failed(err);
    } finally {
      this._pumping = false;
    }
  }

  async _step() {
    if (this._closed || this._done || this._fatal) return false;
    if (!this.record.uploadUrl) return this._create();
    if (this._needHead) return this._head();
    const total = this.record.totalBytes;
    const parts = this._batch();
    if (!parts.size && total == null) return false;
    if (!parts.size && this.acked < total) throw new Fatal(LOST);
    return this._patch(parts, total != null && !this._lengthSent); // the length goes with the first PATCH after Stop
  }

  _batch() {
    const parts = [];
    let pos = this.acked;
    for (const c of this.chunks) {
      const room = this._maxPatch - (pos - this.acked);
      if (room <= 0) break;
      if (c.start + c.size <= pos) continue;
      if (c.start > pos) throw new Fatal(LOST);
      const from = pos - c.start;
      const to = Math.min(c.size, from + room);
      parts.push(from === 0 && to === c.size ? c.blob : c.blob.slice(from, to));
      pos = c.start + to;
    }
    return { blob: new Blob(parts), size: pos - this.acked };
  }

  async _create() {
    const r = this.record;
    const res = await this._send('POST', r.endpoint, { 'Upload-Defer-Length': '1', 'Upload-Metadata': metadata({
      filetype: r.mimeType, filename: /mp4/i.test(r.mimeType) ? 'recording.mp4' : 'recording.webm', title: r.title,
      visibility: r.visibility, source: 'recording' }) });
    if (res.status !== 201 || !res.headers.get('Location')) return this._refused(res, 0);
    r.uploadUrl = new URL(res.headers.get('Location'), r.endpoint).href;
    this._headers(res);
    if (this._closed) await remove(r.uploadUrl); // discarded while the server was creating it
    await this._save();
    this._ready.resolve();
    this._good();
    return true;
  }

  async _head() {
    const res = await this._send('HEAD', this.record.uploadUrl);
    if (res.status !== 200) return this._refused(res, 0);
    this._needHead = false;
    if (res.headers.get('Upload-Length') != null) this._lengthSent = true;
    return this._acked(res);
  }

  async _patch(parts, withLength) {
    const headers = { 'Upload-Offset': String(this.acked), 'Content-Type': 'application/offset+octet-stream' };
    if (withLength) headers['Upload-Length'] = String(this.record.totalBytes);
    const body = parts.size ? await parts.blob.arrayBuffer() : null;
    const sum = body && await sha1(body);
    if (sum) headers['Upload-Checksum'] = `sha1 ${sum}`;
    if (this._closed) return false;
    // A slow link gets time to send the body (at least 25 KB/s); a silent one is given up on.
    const res = await this._send('PATCH', this.record.uploadUrl, headers, body, 15000 + (parts.size / 25));
    if (res.status !== 204) return this._refused(res, parts.size);
    if (withLength) this._lengthSent = true;
    return this._acked(res);
  }

  async _send(method, url, headers, body, ms) {
    try {
      return await tusFetch(method, url, headers, body, ms);
    } catch (err) {
      // It may or may not have reached the server: ask where the upload stands before sending more.
      if (this.record.uploadUrl) this._needHead = true;
      throw new Retry(err.name === 'TimeoutError' ? 'The connection is too slow or stalled.' : 'No connection.');
    }
  }

  async _refused(res, size) {
    const status = res.status;
    if (res.type === 'opaqueredirect' || status === 401 || status === 403) {
      const message = 'You are signed out. Sign in again (in another tab) and the upload continues.';
      throw new Retry(message, { cause: 'auth' });
    }
    if (status === 409 || status === 423) { // not at the offset we thought, or a request still writing: HEAD tells
      this._needHead = true;
      if (++this._conflicts > 1) throw new Retry('The server is busy with this upload.');
      return true;
    }
    if (status === 460) throw new Retry('A chunk arrived damaged; it is sent again.');
    if (status === 413 && size > MIN_PATCH) { // the server takes smaller PATCHes than ours
      this._maxPatch = Math.max(MIN_PATCH, Math.floor(size / 2));
      return true;
    }
    if (status >= 500 || [0, 408, 429].includes(status)) {
      throw new Retry(`The server cannot take the upload just now (HTTP ${status}).`);
    }
    throw new Fatal(await reason(res));
  }

  async _acked(res) {
    this._headers(res);
    const offset = Number(res.headers.get('Upload-Offset'));
    if (!Number.isSafeInteger(offset) || offset < this.acked || offset > this.queued) {
      throw new Fatal('The server and this browser disagree about the upload; it cannot continue.');
    }
    if (this._closed) return false;
    this._good();
    this.acked = offset;
    const covered = this.chunks.filter((c) => c.start + c.size <= offset);
    this.chunks = this.chunks.slice(covered.length);
    this.record.ackedOffset = offset;
    await store.acknowledge(this.record, covered.map((c) => c.seq)).catch(() => {});
    this._progress();
    if (this.record.totalBytes === offset && this._lengthSent) await this._complete();
    return true;
  }

  async _complete() {
    this._done = true;
    this.record.state = 'done';
    this._stop();
    await store.forget(this.id).catch(() => {});
    this.release();
    this._state('done', 'Uploaded.');
    this._finished.resolve({ videoId: this.videoId, videoUrl: this.videoUrl });
  }

  _good() {
    this._delay = this._conflicts = 0;
    if (this._trouble) this._state('online', 'Connected again: the upload continues.');
    this._trouble = null;
  }

  _failed(err) {
    if (this._closed) return;
    if (!(err instanceof Retry)) {
      this._fatal = err instanceof Fatal ? err : new Error(`The upload stopped: ${err.message || err}`);
      this._stop();
      this.release(); // this page gives up on it: a later page may offer it again, or discard it
      this._state('error', `${this._fatal.message} The recording is kept on this computer.`, true);
      this._ready.reject(this._fatal);
      this._finished.reject(this._fatal);
      return;
    }
    const kind = err.cause === 'auth' ? 'error' : 'offline';
    if (this._trouble !== kind) this._state(kind, kind === 'error' ? err.message : `${err.message} ${KEPT}`);
    this._trouble = kind;
    this._delay = Math.min(BACKOFF_MAX, this._delay ? this._delay * 2 : BACKOFF_MIN);
    this._retryAt = Date.now() + this._delay;
    this._timer = setTimeout(() => { this._timer = null; this._kick(); }, this._delay);
  }

  _headers(res) {
    const id = res.headers.get('Parley-Video-Id');
    const url = res.headers.get('Parley-Video-Url');
    if (id) this.record.videoId = id;
    if (url) this.record.videoUrl = new URL(url, location.href).href;
  }

  _progress() {
    const detail = { acked: this.acked, queued: this.queued, total: this.record.totalBytes };
    this.dispatchEvent(new CustomEvent('progress', { detail }));
  }

  _state(state, message, fatal = false) {
    this.dispatchEvent(new CustomEvent('state', { detail: { state, message, fatal } }));
  }
}

/** Recordings an earlier page left unfinished (closed, crashed), oldest first; not those a live page sends. */
export async function pendingUploads() {
  const records = await store.unclaimed(await store.allRecords().catch(() => []));
  return records.filter((r) => r.state !== 'done').sort((a, b) => a.createdAt - b.createdAt);
}

/** Continue a pending recording: what is kept is all there is, so finish() sends it and its length. */
export async function resumeUpload(id) {
  const record = await store.getRecord(id);
  if (!record) throw new Error('This recording is no longer kept on this computer.');
  const release = await store.claim(id);
  if (!release) throw new Error('This recording is still uploading in another tab.');
  const rec = new RecordingUpload(record, await store.storedRun(id), release);
  if (record.state === 'recording') record.state = 'stopped';
  record.totalBytes = Math.min(record.totalBytes ?? rec.queued, rec.queued);
  await rec._save();
  rec._kick();
  return rec;
}

/** Forget a pending recording, here and on the server. */
export async function discardPending(id) {
  const record = await store.getRecord(id);
  if (!record) return;
  const release = await store.claim(id);
  if (!release) throw new Error('This recording is still uploading in another tab.');
  if (record.uploadUrl) await remove(record.uploadUrl);
  await store.forget(id).catch(() => {});
  release();
}
