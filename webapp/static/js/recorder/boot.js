// Loaded on every page for signed-in users: the header's Record button and Alt+Shift+R, the question before
// leaving while a recording runs or uploads, and the offer to finish recordings an earlier page left unfinished.
// The recorder itself loads on first use, so pages that never record do not fetch it.
import { offerPending } from './pending.js';
import { RecordingUpload } from './stream-upload.js';

let recorder = null;

async function open() {
  recorder ??= await import('./recorder.js');
  recorder.openRecorder({ purpose: 'message' });
}

document.getElementById('record-button')?.addEventListener('click', () => open());
// Any other control that offers to record (an empty library's "Record your screen") opens the same recorder.
for (const el of document.querySelectorAll('[data-open-recorder]')) el.addEventListener('click', () => open());

document.addEventListener('keydown', (e) => {
  if (e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === 'KeyR') {
    e.preventDefault();
    open();
  }
});

window.addEventListener('beforeunload', (e) => {
  // A recording running here, or any upload with bytes not yet on the server (pending ones resumed included).
  const busy = recorder?.recorderBusy() || RecordingUpload.anyBusy();
  if (busy) {
    e.preventDefault();
    e.returnValue = ''; // older browsers show their own text; none shows ours
  }
});

const pending = document.getElementById('pending-recordings');
if (pending) offerPending(pending).catch(() => { /* no IndexedDB here: nothing can be pending */ });
