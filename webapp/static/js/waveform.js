// The audio waveform of the trim editor: peaks JSON made by the worker ({duration, rate, peaks: [0..1]}),
// drawn on a canvas over the whole untrimmed length.

export async function loadWaveform(url) {
  const resp = await fetch(url, { credentials: 'same-origin' });
  if (!resp.ok) throw new Error(`waveform ${resp.status}`);
  const data = await resp.json();
  if (!Array.isArray(data.peaks) || !(data.rate > 0)) throw new Error('waveform: unexpected data');
  return data;
}

/**
 * Draw `wave` across `canvas`, `duration` seconds wide; bars inside [keepStart, keepEnd] in the accent colour,
 * the rest muted. Peaks are scaled to the loudest one, so quiet recordings still show their shape.
 */
export function drawWaveform(canvas, wave, duration, keepStart = 0, keepEnd = duration) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, width, height);
  if (!wave || !wave.peaks.length || !(duration > 0)) return;
  const loudest = Math.max(0.02, ...wave.peaks);
  const styles = getComputedStyle(canvas);
  const kept = styles.getPropertyValue('--wave-kept').trim() || '#4353ff';
  const cut = styles.getPropertyValue('--wave-cut').trim() || '#b8bfcc';
  const mid = height / 2;
  const step = Math.max(1, Math.floor(ratio * 2));  // one bar every two CSS pixels
  for (let x = 0; x < width; x += step) {
    const from = (x / width) * duration;
    const to = ((x + step) / width) * duration;
    // The loudest peak under this bar, so short bursts never vanish between bars.
    let peak = 0;
    const first = Math.floor(from * wave.rate);
    const last = Math.min(wave.peaks.length - 1, Math.max(first, Math.ceil(to * wave.rate) - 1));
    for (let i = first; i <= last; i += 1) peak = Math.max(peak, wave.peaks[i] || 0);
    const h = Math.max(1, (peak / loudest) * (height - 2) / 2);
    ctx.fillStyle = from >= keepStart && to <= keepEnd ? kept : cut;
    ctx.fillRect(x, mid - h, Math.max(1, step - 1), h * 2);
  }
}
