// Poll a video's status URL about once a second until it is ready or failed.

const FINAL = new Set(['ready', 'failed']);

export function isFinal(status) {
  return FINAL.has(status);
}

/**
 * Calls onUpdate(json) after each successful poll. Keeps going through network errors (with
 * back-off) so a flaky connection only delays the page. Returns a function that stops polling.
 */
export function pollStatus(url, onUpdate, { interval = 1000, maxInterval = 10000 } = {}) {
  let stopped = false;
  let delay = interval;
  let timer = null;

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
      delay = interval;
      onUpdate(info);
      if (isFinal(info.status)) stopped = true;
    } catch (err) {
      delay = Math.min(delay * 2, maxInterval);
    }
    if (!stopped) timer = setTimeout(tick, delay);
  }

  timer = setTimeout(tick, interval);
  return () => { stopped = true; clearTimeout(timer); };
}
