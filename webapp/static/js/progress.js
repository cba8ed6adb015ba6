// Transfer rate and time left from a moving window of (time, bytes) samples.

export function formatBytes(bytes) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 && unit ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s left`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min left`;
  return `${(seconds / 3600).toFixed(1)} h left`;
}

export class RateMeter {
  constructor(windowMs = 5000) {
    this.windowMs = windowMs;
    this.samples = [];
  }

  reset() {
    this.samples = [];
  }

  /** Record `bytes` done at time `now`; returns bytes per second over the window (0 until known). */
  add(bytes, now = performance.now()) {
    this.samples.push([now, bytes]);
    while (this.samples.length > 2 && now - this.samples[0][0] > this.windowMs) this.samples.shift();
    const [t0, b0] = this.samples[0];
    return now > t0 ? ((bytes - b0) * 1000) / (now - t0) : 0;
  }
}

/** Sets a progress bar's width and its ARIA value. */
export function setBar(container, bar, percent) {
  const value = Math.max(0, Math.min(100, percent));
  bar.style.width = `${value}%`;
  container.setAttribute('aria-valuenow', String(Math.round(value)));
}
