// Poll a video's status URL until it is ready or failed: often for the first seconds (a video that just
// finished uploading gets its instant original within about a second), then about once a second.

const FINAL = new Set(['ready', 'failed']);

export function isFinal(status) {
  return FINAL.has(status);
}

/**
 * Calls onUpdate(json) after each successful poll. Keeps going through network errors (with
 * back-off) so a flaky connection only delays the page. Returns a function that stops polling.
 *
 * Callers that pass their own `interval` (the library, which spreads many videos' polls) poll at that
 * pace from the start unless they also ask for `fastInterval`.
 */
export function pollStatus(url, onUpdate, options = {}) {
  const { interval = 1000, maxInterval = 10000, fastFor = 5000 } = options;
  const fastInterval = options.fastInterval ?? (options.interval === undefined ? 250 : interval);
  const started = Date.now();
  let stopped = false;
  let failures = 0;
  let timer = null;

  function nextDelay() {
    if (failures) return Math.min(interval * 2 ** failures, maxInterval);
    return Date.now() - started < fastFor ? fastInterval : interval;
  }

  async function tick() {
    if (stopped) return;
    try {
      const resp = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (resp.status === 404 || resp.status === 401 || resp.status === 403) {
        stopped = true;  // deleted, or the session ended: polling again cannot help
        return;
      }
      if (!resp.ok) throw new Error(`status ${resp.status}`);
      const info = await resp.json();
      failures = 0;
      onUpdate(info);
      if (isFinal(info.status)) stopped = true;
    } catch (err) {
      failures += 1;
    }
    if (!stopped) timer = setTimeout(tick, nextDelay());
  }

  timer = setTimeout(tick, nextDelay());
  return () => { stopped = true; clearTimeout(timer); };
}
