// The shared screen with the camera as a round bubble in a corner, as one video track for MediaRecorder.
// Where the browser has MediaStreamTrackProcessor/Generator (Chromium), a worker composites the frames and the
// page's main thread does nothing per frame; elsewhere a canvas on the page does, paced by a worker's timer.
import { FPS, stopStream } from './capture.js';
import { drawBubble } from './bubble-geometry.js';

/** createCompositor(screen, camera, {corner, size}) -> {stream, setBubble({corner, size}), close()}. */
export function createCompositor(screen, camera, bubble) {
  // The bubble shows at most ~270 px of the camera: a 360p copy of its track (the preview keeps the full one)
  // saves copying and scaling 720p frames 30 times a second.
  const small = camera ? new MediaStream([camera.getVideoTracks()[0].clone()]) : null;
  small?.getVideoTracks()[0].applyConstraints({ width: { ideal: 640 }, height: { ideal: 360 } }).catch(() => {});
  let compositor = null;
  if (typeof MediaStreamTrackProcessor === 'function' && typeof MediaStreamTrackGenerator === 'function') {
    try {
      compositor = new WorkerCompositor(screen, small, bubble);
    } catch { /* streams not transferable here: the canvas does it */ }
  }
  compositor ??= new CanvasCompositor(screen, small, bubble);
  const close = compositor.close.bind(compositor);
  compositor.close = () => {
    close();
    stopStream(small);
  };
  return compositor;
}

class WorkerCompositor {
  constructor(screen, camera, bubble) {
    const screenTrack = screen.getVideoTracks()[0];
    const cameraTrack = camera?.getVideoTracks()[0];
    const generator = new MediaStreamTrackGenerator({ kind: 'video' });
    const screenFrames = new MediaStreamTrackProcessor({ track: screenTrack }).readable;
    const cameraFrames = cameraTrack ? new MediaStreamTrackProcessor({ track: cameraTrack }).readable : null;
    this.worker = new Worker(new URL('./compose-worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e) => { if (e.data.error) console.warn('recorder compositor:', e.data.error); };
    this.worker.postMessage({ bubble });
    this.worker.postMessage({ start: true, screen: screenFrames, camera: cameraFrames, output: generator.writable, fps: FPS },
      [screenFrames, generator.writable, ...(cameraFrames ? [cameraFrames] : [])]);
    this.stream = new MediaStream([generator]);
  }

  setBubble(bubble) { this.worker.postMessage({ bubble }); }

  close() {
    this.worker.postMessage({ stop: true });
    stopStream(this.stream);
    setTimeout(() => this.worker.terminate(), 1000); // let it close its last frames
  }
}

/** A <video> element playing a stream, for drawing onto the canvas (never shown, never heard). */
function hiddenVideo(stream) {
  const v = document.createElement('video');
  v.muted = true;
  v.playsInline = true;
  v.srcObject = stream;
  v.play().catch(() => { /* autoplay of a muted capture is allowed; a failure only shows as a still frame */ });
  return v;
}

// Timers on a page's main thread run at most once a second while its tab is in the background (which is exactly
// when someone records another tab); a worker's timer is not throttled, so it paces the drawing.
function frameClock(onTick) {
  const worker = new Worker(new URL('./tick-worker.js', import.meta.url));
  worker.onmessage = () => {
    try { onTick(); } finally { worker.postMessage('done'); }
  };
  worker.postMessage({ interval: 1000 / FPS });
  return () => worker.terminate();
}

const even = (n) => Math.max(2, Math.round(n / 2) * 2);

class CanvasCompositor {
  constructor(screen, camera, { corner = 'bottom-right', size = 'M' } = {}) {
    this.screenVideo = hiddenVideo(screen);
    this.cameraVideo = camera ? hiddenVideo(camera) : null;
    this.bubble = { corner, size };
    const s = screen.getVideoTracks()[0].getSettings();
    this.canvas = document.createElement('canvas');
    this.canvas.width = even(s.width || 1280);
    this.canvas.height = even(s.height || 720);
    this.g = this.canvas.getContext('2d', { alpha: false });
    this.stopClock = frameClock(() => this.draw());
    this.stream = this.canvas.captureStream(FPS);
  }

  setBubble(bubble) { this.bubble = { ...this.bubble, ...bubble }; }

  draw() {
    const { g, canvas, screenVideo: sv, cameraVideo: cv } = this;
    if (!sv.videoWidth) return;
    // The shared surface may change size (a resized window): the picture follows, keeping even sides.
    if (even(sv.videoWidth) !== canvas.width || even(sv.videoHeight) !== canvas.height) {
      canvas.width = even(sv.videoWidth);
      canvas.height = even(sv.videoHeight);
    }
    g.drawImage(sv, 0, 0, canvas.width, canvas.height);
    if (cv && cv.videoWidth) drawBubble(g, canvas.width, canvas.height, this.bubble, cv, cv.videoWidth, cv.videoHeight);
  }

  close() {
    this.stopClock();
    stopStream(this.stream);
    for (const v of [this.screenVideo, this.cameraVideo]) if (v) v.srcObject = null;
  }
}
