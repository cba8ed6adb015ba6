// The recorder's set-up: which source, the microphone switch and level meter, camera and microphone choice
// (remembered per browser), and the camera preview before a screen is chosen.
import {
  MicMixer, listDevices, openCamera, openMic, rememberDevice, rememberedDevice, stopStream,
} from './capture.js';
import { captureError } from './messages.js';

const METER_MS = 100;

export class Setup {
  /** dialog: the recorder <dialog>; onError(text, action?) shows a problem; onPreview() asks for a new preview. */
  constructor(dialog, { onError, onPreview }) {
    this.dialog = dialog;
    this.onError = onError;
    this.onPreview = onPreview;
    this.cameraSelect = dialog.querySelector('#rec-camera-select');
    this.micSelect = dialog.querySelector('#rec-mic-select');
    this.micBox = dialog.querySelector('#rec-mic');
    this.meter = dialog.querySelector('#rec-level');
    this.mixer = null;
    this.camera = null;
    this.meterTimer = null;
    this.opening = new Set();
    for (const radio of dialog.querySelectorAll('input[name=rec-source]')) {
      radio.addEventListener('change', () => this.sourceChanged());
    }
    this.micBox.addEventListener('change', () => this.micChanged());
    this.cameraSelect.addEventListener('change', () => {
      rememberDevice('videoinput', this.cameraSelect.value);
      this.reopenCamera();
    });
    this.micSelect.addEventListener('change', () => {
      rememberDevice('audioinput', this.micSelect.value);
      this.reopenMic();
    });
  }

  get source() { return this.dialog.querySelector('input[name=rec-source]:checked').value; }
  get wantsCamera() { return this.source !== 'screen'; }
  get wantsScreen() { return this.source !== 'camera'; }
  get micOn() { return this.micBox.checked; }

  /** Called each time the recorder opens: the audio graph (needs the click that opened it) and the devices. */
  async open() {
    this.mixer = new MicMixer();
    this.dialog.dataset.source = this.source;
    this.meterTimer = setInterval(() => { this.meter.value = this.micOn ? this.mixer.level() : 0; }, METER_MS);
    await Promise.all([this.wantsCamera ? this.reopenCamera() : null, this.micOn ? this.reopenMic() : null]);
    await this.fillDevices();
  }

  /** Source radios and device selects can change only before recording; the bubble and the mic switch always. */
  lock(locked) {
    for (const el of this.dialog.querySelectorAll('input[name=rec-source], #rec-camera-select, #rec-mic-select')) {
      el.disabled = locked;
    }
  }

  async sourceChanged() {
    this.dialog.dataset.source = this.source;
    if (this.wantsCamera && !this.camera) await this.reopenCamera();
    if (!this.wantsCamera && this.camera) {
      stopStream(this.camera);
      this.camera = null;
    }
    this.onPreview();
  }

  async micChanged() {
    this.mixer.setMuted(!this.micOn);
    if (this.micOn && !this.mixer.stream) await this.reopenMic();
  }

  /** Resolves when every device being opened is open (or has failed): Start waits for it. */
  settled() { return Promise.all([...this.opening]); }

  track(promise) {
    this.opening.add(promise);
    promise.finally(() => this.opening.delete(promise));
    return promise;
  }

  reopenCamera() { return this.track(this.openCamera()); }

  reopenMic() { return this.track(this.openMic()); }

  async openCamera() {
    stopStream(this.camera);
    this.camera = null;
    try {
      const camera = await openCamera(this.cameraSelect.value || rememberedDevice('videoinput'));
      if (!this.wantsCamera || !this.mixer) { // the source changed (or the dialog closed) while it started
        stopStream(camera);
        return;
      }
      stopStream(this.camera);
      this.camera = camera;
      await this.fillDevices();
    } catch (err) {
      this.onError(captureError(err, 'camera'));
    }
    this.onPreview();
  }

  async openMic() {
    try {
      this.mixer.setStream(await openMic(this.micSelect.value || rememberedDevice('audioinput')));
      this.mixer.setMuted(!this.micOn);
      await this.fillDevices();
    } catch (err) {
      this.mixer.setStream(null);
      if (err && err.name === 'NotFoundError') {
        this.onError(captureError(err, 'microphone'), {
          label: 'Record without sound',
          run: () => { this.micBox.checked = false; this.mixer.setMuted(true); },
        });
      } else {
        this.onError(captureError(err, 'microphone'));
      }
    }
  }

  /** Device names are known only after a permission was given, so the lists are refilled after each open. */
  async fillDevices() {
    let devices;
    try { devices = await listDevices(); } catch { return; }
    fill(this.cameraSelect, devices.cameras, 'Camera', currentId(this.camera) || rememberedDevice('videoinput'));
    fill(this.micSelect, devices.mics, 'Microphone', currentId(this.mixer?.stream) || rememberedDevice('audioinput'));
  }

  close() {
    clearInterval(this.meterTimer);
    stopStream(this.camera);
    this.camera = null;
    this.mixer?.close();
    this.mixer = null;
    this.meter.value = 0;
  }
}

function currentId(stream) {
  return stream?.getTracks()[0]?.getSettings().deviceId || '';
}

function fill(select, devices, noun, chosen) {
  if (!devices.length || devices.every((d) => !d.deviceId)) return; // labels not allowed yet: keep "Default"
  select.replaceChildren(...devices.map((d, i) => {
    const opt = document.createElement('option');
    opt.value = d.deviceId;
    opt.textContent = d.label || `${noun} ${i + 1}`;
    return opt;
  }));
  if (devices.some((d) => d.deviceId === chosen)) select.value = chosen;
}
