// What the recorder captures: screen, camera and microphone streams (devices remembered per browser), the
// microphone's level, and a MediaRecorder with the best codec this browser offers. The bubble: compositor.js.

// First supported wins. VP9 before VP8: VP8 at 720p drops most frames on a small machine; MP4 last, for browsers
// (Safari) whose MediaRecorder only writes MP4.
export const MIME_TYPES = [
  'video/webm;codecs=vp9,opus',
  'video/webm;codecs=vp8,opus',
  'video/webm',
  'video/mp4;codecs=avc1,mp4a',
  'video/mp4',
];
export const FPS = 30;
const VIDEO_BITS = 2_500_000;
const AUDIO_BITS = 128_000;
const DEVICE_KEYS = { videoinput: 'parley-recorder-camera', audioinput: 'parley-recorder-mic' };

/** Why this browser cannot record, or null when it can. */
export function supportProblem(sourceNeedsScreen = true) {
  const md = navigator.mediaDevices;
  if (typeof MediaRecorder === 'undefined' || !md || !md.getUserMedia) {
    return 'This browser cannot record video. Use a current version of Chrome, Edge, Firefox or Safari.';
  }
  if (sourceNeedsScreen && !md.getDisplayMedia) {
    return 'This browser cannot share your screen. Choose "Camera only", or use a desktop version of Chrome, Edge, Firefox or Safari.';
  }
  if (!pickMimeType()) return 'This browser cannot record any video format Parley knows.';
  return null;
}

export function pickMimeType() {
  return MIME_TYPES.find((t) => MediaRecorder.isTypeSupported(t)) || null;
}

// ---- devices, remembered per browser ----

export async function listDevices() {
  const all = await navigator.mediaDevices.enumerateDevices();
  return {
    cameras: all.filter((d) => d.kind === 'videoinput'),
    mics: all.filter((d) => d.kind === 'audioinput'),
  };
}

export function rememberedDevice(kind) {
  try { return localStorage.getItem(DEVICE_KEYS[kind]) || ''; } catch { return ''; }
}

export function rememberDevice(kind, deviceId) {
  try { localStorage.setItem(DEVICE_KEYS[kind], deviceId || ''); } catch { /* private mode: not remembered */ }
}

// ---- streams ----

export function openScreen() {
  // No system audio: the recording's sound is the microphone (tab audio would echo the speaker's own voice).
  return navigator.mediaDevices.getDisplayMedia({
    video: { frameRate: { ideal: FPS }, width: { max: 1920 }, height: { max: 1080 } },
    audio: false,
  });
}

// The chosen device exactly ('ideal' is not always honoured); if it is gone (unplugged), the default one.
async function openDevice(kind, constraints, deviceId) {
  if (deviceId) {
    try {
      return await navigator.mediaDevices.getUserMedia({ [kind]: { ...constraints, deviceId: { exact: deviceId } } });
    } catch (err) {
      if (err.name !== 'OverconstrainedError' && err.name !== 'NotFoundError') throw err;
    }
  }
  return navigator.mediaDevices.getUserMedia({ [kind]: constraints });
}

export function openCamera(deviceId) {
  return openDevice('video', { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: FPS } }, deviceId);
}

export function openMic(deviceId) {
  return openDevice('audio', { echoCancellation: true, noiseSuppression: true, autoGainControl: true }, deviceId);
}

export function stopStream(stream) {
  stream?.getTracks().forEach((t) => t.stop());
}

// ---- the microphone: one audio graph feeds the level meter and the recorded track ----

/** The mic goes through a gain node into a stream destination: muting is a gain of 0, so the recorded track
 * exists from the start and never changes (MediaRecorder cannot take a track added later). */
export class MicMixer {
  constructor() {
    this.ctx = new AudioContext();
    this.gain = this.ctx.createGain();
    this.analyser = this.ctx.createAnalyser();
    this.analyser.fftSize = 1024;
    this.dest = this.ctx.createMediaStreamDestination();
    this.gain.connect(this.analyser);
    this.gain.connect(this.dest);
    this.source = null;
    this.stream = null;
    this.samples = new Float32Array(this.analyser.fftSize);
  }

  get track() { return this.dest.stream.getAudioTracks()[0]; }

  setStream(stream) {
    this.source?.disconnect();
    stopStream(this.stream);
    this.stream = stream;
    this.source = stream ? this.ctx.createMediaStreamSource(stream) : null;
    this.source?.connect(this.gain);
    this.ctx.resume().catch(() => {});
  }

  setMuted(muted) { this.gain.gain.value = muted ? 0 : 1; }

  /** 0..1: the RMS of the last few milliseconds, scaled so normal speech fills about half the meter. */
  level() {
    if (!this.source) return 0;
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const s of this.samples) sum += s * s;
    return Math.min(1, Math.sqrt(sum / this.samples.length) * 4);
  }

  close() {
    this.setStream(null);
    this.ctx.close().catch(() => {});
  }
}

// ---- the MediaRecorder ----

/** Starts recording `stream`; each chunk (about one a second) goes to onChunk(blob) as soon as it exists. */
export function startMediaRecorder(stream, mimeType, onChunk) {
  const mr = new MediaRecorder(stream, { mimeType, videoBitsPerSecond: VIDEO_BITS, audioBitsPerSecond: AUDIO_BITS });
  mr.addEventListener('dataavailable', (e) => { if (e.data && e.data.size) onChunk(e.data); });
  mr.start(1000);
  return mr;
}

/** Stops a MediaRecorder and resolves after its last chunk was handed over. */
export function stopMediaRecorder(mr) {
  if (!mr || mr.state === 'inactive') return Promise.resolve();
  return new Promise((resolve) => {
    mr.addEventListener('stop', () => resolve(), { once: true });
    mr.stop();
  });
}
