// The recorder dialog: set-up, 3-2-1, recording (Pause/Resume, Stop, Restart, Cancel, the length limit), then the
// share panel. Every MediaRecorder chunk goes to RecordingUpload.append at once, so Stop waits for one second.
// Other pages open it with openRecorder({purpose, onDone}); the dialog markup is templates/recorder/_dialog.html.
import { RecordingUpload } from './stream-upload.js';
import { openScreen, pickMimeType, startMediaRecorder, stopMediaRecorder, stopStream, supportProblem } from './capture.js';
import { createCompositor } from './compositor.js';
import { Setup } from './setup.js';
import { BubbleControls } from './bubble-controls.js';
import { SharePanel } from './share-panel.js';
import { clock, confirmer, countdown } from './dialog-ui.js';
import { OFFLINE, SHARE_ENDED, captureError } from './messages.js';

const WARN_BEFORE_MS = 60_000;
const uploads = new Set(); // every recording upload this page started, for the beforeunload question
let instance = null;

/** True while a recording runs or any upload this page started still has bytes the server has not acknowledged. */
export function recorderBusy() {
  return Boolean(instance?.isRecording()) || [...uploads].some((u) => u.busy);
}

/** Opens the recorder; onDone({videoId, videoUrl, title}) is called after Stop, when the share link is known. */
export function openRecorder({ purpose = 'message', onDone } = {}) {
  const dialog = document.getElementById('recorder');
  if (!dialog) throw new Error('The recorder is not on this page (templates/recorder/_dialog.html).');
  instance ??= new Recorder(dialog);
  instance.open({ purpose, onDone });
  return instance;
}

class Recorder {
  constructor(dialog) {
    this.dialog = dialog;
    this.$ = (id) => dialog.querySelector(`#${id}`);
    this.maxMs = (Number(dialog.dataset.maxMinutes) || 30) * 60_000;
    this.confirm = confirmer(dialog);
    this.setup = new Setup(dialog, { onError: (text, action) => this.showError(text, action), onPreview: () => this.preview() });
    this.bubble = new BubbleControls(this.$('rec-bubble'), (value) => this.compositor?.setBubble(value));
    this.share = new SharePanel(dialog, {
      apiTemplate: dialog.dataset.api, confirm: this.confirm, onAgain: () => this.again(), onDeleted: () => this.again(),
    });
    this.screen = null;
    this.compositor = null;
    this.mr = null;
    this.upload = null;
    this.appends = [];
    this.counting = null;
    this.state = 'setup';
    this.on('rec-start', () => this.start());
    this.on('rec-pause', () => (this.state === 'paused' ? this.resume() : this.pause()));
    this.on('rec-stop', () => this.stop());
    this.on('rec-restart', () => this.restart());
    this.on('rec-cancel', () => this.cancel());
    this.on('rec-close', () => this.requestClose());
    dialog.addEventListener('cancel', (e) => { // Escape: never drop a recording without asking
      e.preventDefault();
      this.requestClose();
    });
    dialog.addEventListener('close', () => this.release());
  }

  on(id, handler) { this.$(id).addEventListener('click', handler); }

  get state() { return this.dialog.dataset.state; }

  set state(value) {
    this.dialog.dataset.state = value;
    this.$('rec-pause').textContent = value === 'paused' ? 'Resume' : 'Pause';
  }

  isRecording() { return ['countdown', 'recording', 'paused'].includes(this.state); }

  async open({ purpose, onDone }) {
    this.onDone = onDone;
    this.dialog.dataset.purpose = purpose;
    if (this.dialog.open) return;
    this.toSetup();
    this.dialog.showModal();
    const problem = supportProblem(false);
    this.$('rec-start').disabled = Boolean(problem);
    if (problem) {
      this.showError(problem);
      return;
    }
    await this.setup.open();
  }

  toSetup() {
    this.state = 'setup';
    this.clearError();
    this.showNotice('');
    this.$('rec-limit').hidden = true;
    this.$('rec-timer').textContent = '0:00';
    this.setup.lock(false);
    this.preview();
  }

  // ---- messages ----

  /** Adds a problem to the list shown (camera and microphone can fail together); action: {label, run}. */
  showError(text, action) {
    const box = this.$('rec-error');
    if ([...box.querySelectorAll('p')].some((p) => p.textContent === text)) return;
    const item = document.createElement('div');
    item.className = 'rec-error-item';
    const p = document.createElement('p');
    p.textContent = text;
    item.append(p);
    if (action) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = action.label;
      button.addEventListener('click', () => {
        item.remove();
        box.hidden = !box.children.length;
        action.run();
      });
      item.append(button);
    }
    box.append(item);
    box.hidden = false;
  }

  clearError() {
    this.$('rec-error').replaceChildren();
    this.$('rec-error').hidden = true;
  }

  showNotice(text) {
    const el = this.$('rec-notice');
    el.textContent = text;
    el.hidden = !text;
  }

  // ---- what the preview shows: the recording itself once it exists, else the camera ----

  preview() {
    const video = this.$('rec-preview');
    const stream = this.compositor?.stream
      || (this.screen && this.setup.source === 'screen' ? this.screen : null)
      || (this.setup.wantsCamera ? this.setup.camera : null);
    if (video.srcObject !== stream) video.srcObject = stream || null;
    this.$('rec-placeholder').hidden = Boolean(stream);
  }

  // ---- recording ----

  async start() {
    const button = this.$('rec-start');
    if (button.disabled) return;
    button.disabled = true;
    try {
      await this.begin();
    } finally {
      button.disabled = false;
    }
  }

  async begin() {
    this.clearError();
    await this.setup.settled(); // a click right after opening: the camera may still be starting
    const problem = supportProblem(this.setup.wantsScreen);
    if (problem) return this.showError(problem);
    if (this.setup.wantsCamera && !this.setup.camera) {
      return this.showError('The camera is not available, so there is nothing to put in the bubble. '
        + 'Fix the camera (see above) or choose "Screen" to record without it.');
    }
    if (this.setup.wantsScreen && !this.screen) {
      try {
        this.screen = await openScreen();
      } catch (err) {
        return this.showError(captureError(err, 'screen'));
      }
      const track = this.screen.getVideoTracks()[0];
      track.addEventListener('ended', () => this.shareEnded(track), { once: true });
    }
    return this.take();
  }

  /** The stream MediaRecorder records: one video track (screen, camera or the composite) and the mic's mix. */
  recordStream() {
    let video;
    if (this.setup.source === 'screen-camera') {
      this.compositor ??= createCompositor(this.screen, this.setup.camera, this.bubble.value);
      video = this.compositor.stream.getVideoTracks()[0];
    } else if (this.setup.source === 'screen') {
      video = this.screen.getVideoTracks()[0];
    } else {
      video = this.setup.camera.getVideoTracks()[0];
    }
    this.preview();
    return new MediaStream([video, this.setup.mixer.track]);
  }

  /** One take: countdown (while the upload is created), then MediaRecorder with each chunk appended at once. */
  async take() {
    const mimeType = pickMimeType();
    const stream = this.recordStream();
    this.setup.lock(true);
    this.state = 'countdown';
    this.title = `Recording ${new Date().toLocaleString()}`;
    const created = RecordingUpload.start({
      endpoint: this.dialog.dataset.endpoint, mimeType: mimeType.split(';')[0], title: this.title, visibility: 'team',
    }).catch((err) => err);
    const counting = countdown(this.$('rec-countdown'));
    this.counting = counting;
    const [go, upload] = await Promise.all([counting, created]);
    if (this.counting === counting) this.counting = null;
    if (upload instanceof Error || !upload) {
      this.releaseCapture();
      this.toSetup();
      return this.showError(`The recording cannot be kept in this browser, so it was not started (${upload?.message || 'no storage'}).`);
    }
    if (!go) {
      upload.discard();
      return;
    }
    this.upload = upload;
    uploads.add(upload);
    upload.addEventListener('state', (e) => this.uploadState(upload, e.detail || {}));
    this.appends = [];
    this.mr = startMediaRecorder(stream, mimeType, (blob) => this.appends.push(upload.append(blob)));
    this.elapsedBefore = 0;
    this.runningSince = performance.now();
    this.state = 'recording';
    this.ticker = setInterval(() => this.tick(), 250);
  }

  elapsed() {
    return this.elapsedBefore + (this.state === 'recording' ? performance.now() - this.runningSince : 0);
  }

  tick() {
    const ms = this.elapsed();
    this.$('rec-timer').textContent = clock(ms);
    if (ms >= this.maxMs) {
      this.stop({ notice: `The recording reached the ${clock(this.maxMs)} limit and stopped by itself. It is kept.` });
    } else if (ms >= this.maxMs - WARN_BEFORE_MS) {
      const limit = this.$('rec-limit');
      limit.textContent = `Less than a minute left: the recording stops by itself at ${clock(this.maxMs)}.`;
      limit.hidden = false;
    }
  }

  pause() {
    if (this.state !== 'recording') return;
    this.mr.pause(); // pause/resume, not stop/start: the video has no gap and no frozen stretch
    this.elapsedBefore = this.elapsed();
    this.state = 'paused';
  }

  resume() {
    if (this.state !== 'paused') return;
    this.mr.resume();
    this.runningSince = performance.now();
    this.state = 'recording';
  }

  /** Stop: the share panel shows at once; the last chunk and the length follow in the background. */
  async stop({ notice = '' } = {}) {
    if (!this.mr) return;
    const { mr, upload } = this;
    this.elapsedBefore = this.elapsed();
    this.$('rec-timer').textContent = clock(this.elapsedBefore);
    this.endTake();
    this.state = 'share';
    this.showNotice(notice);
    const named = this.share.show(upload, this.title);
    await stopMediaRecorder(mr);
    this.releaseCapture();
    named.then((info) => { if (info) this.onDone?.({ ...info, title: this.title }); });
    try {
      await Promise.all(this.appends);
      await upload.finish();
      this.share.setState('done', 'Ready to share');
    } catch (err) {
      this.share.setState('error', `The upload did not finish: ${err?.message || err}. It is kept in this browser and `
        + 'offered again on your next visit.');
    }
  }

  endTake() {
    clearInterval(this.ticker);
    this.mr = null;
    this.upload = null;
    this.$('rec-limit').hidden = true;
  }

  /** Ends the take and throws it away: nothing of it stays on the server or in this browser. */
  async discardTake() {
    if (this.counting) {
      this.counting.cancel(); // take() discards the upload it was creating
      return;
    }
    const { mr, upload } = this;
    this.endTake();
    await stopMediaRecorder(mr);
    if (upload) {
      uploads.delete(upload);
      await upload.discard();
    }
  }

  async restart() {
    if (!(await this.confirm('Discard this take and start again from zero?', 'Discard and restart'))) return;
    if (!this.isRecording()) return;
    await this.discardTake();
    if (this.setup.wantsScreen && !this.screen) return this.toSetup(); // sharing ended while asking
    await this.take();
  }

  async cancel() {
    if (!this.isRecording()) return this.dialog.close();
    if (this.state !== 'countdown'
        && !(await this.confirm('Discard this recording? Nothing of it will be kept.', 'Discard recording'))) return;
    await this.discardTake();
    this.dialog.close();
  }

  requestClose() {
    if (this.isRecording()) return this.cancel();
    this.dialog.close();
  }

  async again() {
    this.releaseCapture();
    this.toSetup();
    if (this.setup.wantsCamera && !this.setup.camera) await this.setup.reopenCamera();
  }

  /** The shared tab, window or screen went away (closed, or "Stop sharing"): keep what was recorded. */
  shareEnded(track) {
    if (!this.screen || this.screen.getVideoTracks()[0] !== track) return;
    if (this.state === 'recording' || this.state === 'paused') {
      this.stop({ notice: SHARE_ENDED });
    } else if (this.state === 'countdown') {
      this.discardTake();
      this.releaseCapture();
      this.toSetup();
      this.showNotice('Screen sharing ended before the recording started. Press Start recording to choose again.');
    } else {
      this.releaseCapture();
      this.preview();
    }
  }

  uploadState(upload, { state, message }) {
    if (upload !== this.upload && upload !== this.share.upload) return;
    if (state === 'offline') this.showNotice(OFFLINE);
    else if (state === 'online') this.showNotice('');
    else if (state === 'error' && message) this.showError(message);
  }

  releaseCapture() {
    this.compositor?.close();
    this.compositor = null;
    stopStream(this.screen);
    this.screen = null;
    this.preview();
  }

  /** The dialog closed: give every device back (the camera light goes off). Uploads carry on. */
  release() {
    if (this.mr) this.discardTake();
    this.releaseCapture();
    this.setup.close();
    this.$('rec-preview').srcObject = null;
  }
}
