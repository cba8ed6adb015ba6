// Screen + camera bubble, composited off the page's main thread (Chromium: MediaStreamTrackProcessor/Generator).
// Drawing a 720p frame on a 2D canvas costs ~20-30 ms of the page's own thread on a small machine without a GPU;
// here the bubble is written straight into the screen's I420 planes (a copy plus ~30 k pixels), and the page stays
// free. Frames in any other format go through an OffscreenCanvas, still off the main thread.
import { bubbleCircle, drawBubble } from './bubble-geometry.js';

let bubble = { corner: 'bottom-right', size: 'M' };
let screenFrame = null; // the newest frame of each source; older ones are closed at once
let cameraFrame = null;
let dirty = false;
let screenNew = false; // copy each source's picture only when it brought a new one
let cameraNew = false;
let busy = false;
let writer = null;
let timer = null;
let planes = null; // the output picture, I420, reused
let cam = null; // the camera picture (I420) and the sampling maps into the bubble
let canvas = null;

self.onmessage = (e) => {
  const m = e.data;
  if (m.bubble) {
    bubble = m.bubble;
    cam = cam && { ...cam, maps: null };
    dirty = true;
  }
  if (m.start) start(m);
  if (m.stop) stop();
};

async function pump(readable, take) {
  const reader = readable.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    take(value);
  }
}

function start({ screen, camera, output, fps }) {
  writer = output.getWriter();
  pump(screen, (f) => { screenFrame?.close(); screenFrame = f; dirty = screenNew = true; }).catch(() => {});
  if (camera) pump(camera, (f) => { cameraFrame?.close(); cameraFrame = f; dirty = cameraNew = true; }).catch(() => {});
  timer = setInterval(tick, 1000 / fps);
}

function stop() {
  clearInterval(timer);
  screenFrame?.close();
  cameraFrame?.close();
  screenFrame = cameraFrame = null;
  writer?.close().catch(() => {});
  writer = null;
}

// Nothing new since the last frame: send nothing (the recording holds the picture, as it does for a still screen).
async function tick() {
  if (!dirty || busy || !screenFrame || !writer) return;
  busy = true;
  dirty = false;
  try {
    const yuv = screenFrame.format === 'I420' && (!cameraFrame || cameraFrame.format === 'I420');
    const frame = yuv ? await composeI420() : composeCanvas();
    await writer.write(frame); // the generator closes the frame
  } catch (err) {
    self.postMessage({ error: String(err) });
  } finally {
    busy = false;
  }
}

const even = (n) => n & ~1;

function layout(w, h) {
  return [{ offset: 0, stride: w }, { offset: w * h, stride: w / 2 }, { offset: w * h + (w * h) / 4, stride: w / 2 }];
}

function evenRect(frame) {
  const rect = frame.visibleRect;
  const w = even(rect.width);
  const h = even(rect.height);
  return { w, h, rect: { x: rect.x, y: rect.y, width: w, height: h } };
}

/** Only the camera's centre square is ever shown (the bubble is round), so only that is copied. */
function centreSquare(frame) {
  const rect = frame.visibleRect;
  const side = even(Math.min(rect.width, rect.height));
  const x = even(rect.x + (rect.width - side) / 2);
  const y = even(rect.y + (rect.height - side) / 2);
  return { w: side, h: side, rect: { x, y, width: side, height: side } };
}

async function composeI420() {
  const s = evenRect(screenFrame);
  if (!planes || planes.w !== s.w || planes.h !== s.h) {
    planes = { w: s.w, h: s.h, data: new Uint8Array((s.w * s.h * 3) / 2) };
    cam = cam && { ...cam, maps: null };
    screenNew = true;
  }
  if (screenNew) {
    screenNew = false;
    await screenFrame.copyTo(planes.data, { rect: s.rect, layout: layout(s.w, s.h) });
  }
  if (cameraFrame) {
    const c = centreSquare(cameraFrame);
    if (!cam || cam.w !== c.w) {
      cam = { w: c.w, h: c.h, data: new Uint8Array((c.w * c.h * 3) / 2), maps: null };
      cameraNew = true;
    }
    if (cameraNew) {
      cameraNew = false;
      await cameraFrame.copyTo(cam.data, { rect: c.rect, layout: layout(c.w, c.h) });
    }
    overlay(); // over the bubble of the previous frame when only the camera moved: the same pixels
  }
  return new VideoFrame(planes.data, {
    format: 'I420', codedWidth: planes.w, codedHeight: planes.h, timestamp: Math.round(performance.now() * 1000),
  });
}

/** For each plane: destination offsets inside the circle and the camera sample each takes; the ring is white. */
function buildMaps() {
  const { w, h } = planes;
  const { x, y, r } = bubbleCircle(w, h, bubble.corner, bubble.size);
  const side = cam.w; // cam holds the camera's centre square already
  const ox = 0;
  const oy = 0;
  const ring = Math.max(2, Math.round(r * 0.04));
  const maps = [];
  for (const [k, pw, cw, base, cbase] of [
    [1, w, cam.w, 0, 0],
    [2, w / 2, cam.w / 2, w * h, cam.w * cam.h],
    [2, w / 2, cam.w / 2, w * h * 1.25, cam.w * cam.h * 1.25],
  ]) {
    const dst = [];
    const src = [];
    const edge = [];
    const R = r / k;
    const cx = x / k;
    const cy = y / k;
    const scale = side / (2 * r);
    for (let j = Math.floor(cy - R); j < Math.ceil(cy + R); j++) {
      for (let i = Math.floor(cx - R); i < Math.ceil(cx + R); i++) {
        const d = Math.hypot(i + 0.5 - cx, j + 0.5 - cy);
        if (d > R) continue;
        const at = base + j * pw + i;
        if (d > R - ring / k) {
          edge.push(at);
          continue;
        }
        const sx = Math.max(0, Math.min(cw - 1, Math.floor((ox + (i * k - (x - r)) * scale) / k)));
        const sy = Math.max(0, Math.floor((oy + (j * k - (y - r)) * scale) / k));
        dst.push(at);
        src.push(cbase + sy * cw + sx);
      }
    }
    maps.push({ dst: Int32Array.from(dst), src: Int32Array.from(src), edge: Int32Array.from(edge), white: k === 1 ? 235 : 128 });
  }
  cam.maps = maps;
}

function overlay() {
  if (!cam.maps) buildMaps();
  const out = planes.data;
  const from = cam.data;
  for (const { dst, src, edge, white } of cam.maps) {
    for (let n = 0; n < dst.length; n++) out[dst[n]] = from[src[n]];
    for (let n = 0; n < edge.length; n++) out[edge[n]] = white;
  }
}

function composeCanvas() {
  const w = even(screenFrame.displayWidth);
  const h = even(screenFrame.displayHeight);
  if (!canvas || canvas.width !== w || canvas.height !== h) canvas = new OffscreenCanvas(w, h);
  const g = canvas.getContext('2d', { alpha: false });
  g.drawImage(screenFrame, 0, 0, w, h);
  if (cameraFrame) drawBubble(g, w, h, bubble, cameraFrame, cameraFrame.displayWidth, cameraFrame.displayHeight);
  return new VideoFrame(canvas, { timestamp: Math.round(performance.now() * 1000) });
}
