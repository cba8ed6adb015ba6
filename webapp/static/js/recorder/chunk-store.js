// The browser's durable copy of recordings in progress (IndexedDB "parley-recordings"): one record per
// recording and its chunks, kept until the server has acknowledged their bytes, so a dropped network, a closed
// tab or a crash never loses a take.
//
// A record: {id, uploadUrl|null, videoId|null, videoUrl|null, title, visibility, endpoint, createdAt,
//   state, mimeType, totalBytes|null, ackedOffset}. state: 'recording' (chunks still coming), 'uploading'
//   (Stop was pressed: totalBytes is known), 'stopped' (the page that recorded it is gone: what is stored is
//   all there is), 'done' (the server has every byte; the record is deleted right after).
// A chunk: {recId, seq, start (its first byte's offset in the recording), size, blob}, keyed [recId, seq].

const DB_NAME = 'parley-recordings';
const RECORDS = 'recordings';
const CHUNKS = 'chunks';

let dbPromise = null;

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      if (!globalThis.indexedDB) {
        reject(new DOMException('IndexedDB is not available in this browser.', 'NotSupportedError'));
        return;
      }
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore(RECORDS, { keyPath: 'id' });
        req.result.createObjectStore(CHUNKS, { keyPath: ['recId', 'seq'] });
      };
      req.onsuccess = () => {
        // Another tab upgrading the schema must not be blocked by this one.
        req.result.onversionchange = () => { req.result.close(); dbPromise = null; };
        resolve(req.result);
      };
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new DOMException('The recordings database is busy in another tab.', 'AbortError'));
    });
    dbPromise.catch(() => { dbPromise = null; }); // try again next time (e.g. after a transient failure)
  }
  return dbPromise;
}

// One transaction: `work(stores)` queues requests; resolves with what `work` returned (a request's result
// once the transaction has committed, so a resolved write is on disk as far as IndexedDB promises).
async function transact(names, mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    let tx;
    let out;
    try {
      tx = db.transaction(names, mode, { durability: 'strict' });
      const stores = Object.fromEntries(names.map((n) => [n, tx.objectStore(n)]));
      out = work(stores);
    } catch (err) {
      try { tx?.abort(); } catch { /* already finished */ }
      reject(err);
      return;
    }
    tx.oncomplete = () => resolve(out instanceof IDBRequest ? out.result : out);
    // A full disk shows up here, as the transaction's QuotaExceededError.
    tx.onabort = () => reject(tx.error || new DOMException('The write was aborted.', 'AbortError'));
  });
}

const chunkRange = (id) => IDBKeyRange.bound([id, -Infinity], [id, Infinity]);

export function isQuotaError(err) {
  return Boolean(err) && (err.name === 'QuotaExceededError' || /quota|space/i.test(err.message || ''));
}

export function putRecord(record) {
  return transact([RECORDS], 'readwrite', (s) => { s[RECORDS].put(record); });
}

export function getRecord(id) {
  return transact([RECORDS], 'readonly', (s) => s[RECORDS].get(id));
}

export function allRecords() {
  return transact([RECORDS], 'readonly', (s) => s[RECORDS].getAll());
}

export function putChunk(chunk) {
  return transact([CHUNKS], 'readwrite', (s) => { s[CHUNKS].put(chunk); });
}

/** The stored chunks of a recording, in order. */
export function chunksOf(id) {
  return transact([CHUNKS], 'readonly', (s) => s[CHUNKS].getAll(chunkRange(id)));
}

/** The server acknowledged bytes: drop the chunks it covers and save the record, in one transaction. */
export function acknowledge(record, seqs) {
  return transact([RECORDS, CHUNKS], 'readwrite', (s) => {
    for (const seq of seqs) s[CHUNKS].delete([record.id, seq]);
    s[RECORDS].put(record);
  });
}

/** Forget a recording entirely: its record and every chunk. */
export function forget(id) {
  return transact([RECORDS, CHUNKS], 'readwrite', (s) => {
    s[CHUNKS].delete(chunkRange(id));
    s[RECORDS].delete(id);
  });
}

/** The stored chunks from the first one on, as long as each follows the one before (a chunk a full disk
 * refused ends what can be used). */
export async function storedRun(id) {
  const run = [];
  for (const c of await chunksOf(id)) { // keys [id, seq]: already in recording order
    if (run.length && c.start !== run[run.length - 1].start + run[run.length - 1].size) break;
    run.push(c);
  }
  return run;
}

// A page uploading a recording holds a Web Lock on it, released by the browser when the page closes or
// crashes: other tabs must not offer (and upload a second time) a recording that a live page is sending.
const LOCK = 'parley-recording:';

/** Take the recording for this page: resolves to a release function, or null while another page holds it. */
export function claim(id) {
  if (!navigator.locks) return Promise.resolve(() => {});
  return new Promise((resolve) => {
    navigator.locks.request(LOCK + id, { ifAvailable: true }, (lock) => {
      if (!lock) return resolve(null);
      return new Promise((release) => resolve(release));
    }).catch(() => resolve(() => {}));
  });
}

/** The records that no live page holds. */
export async function unclaimed(records) {
  if (!navigator.locks?.query) return records;
  const held = new Set((await navigator.locks.query()).held.map((l) => l.name));
  return records.filter((r) => !held.has(LOCK + r.id));
}

export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID(); // secure contexts only
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
