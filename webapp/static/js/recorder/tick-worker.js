// The recorder's frame clock: a worker's timers keep their pace while the recorder's tab is in the background.
// A tick waits for the page to answer the previous one ('done'), so a busy page never builds up a queue of
// draws it can only fall further behind on.
let timer = null;
let waiting = false;
self.onmessage = (e) => {
  if (e.data === 'done') {
    waiting = false;
    return;
  }
  clearInterval(timer);
  waiting = false;
  if (e.data && e.data.interval) {
    timer = setInterval(() => {
      if (waiting) return;
      waiting = true;
      self.postMessage(0);
    }, e.data.interval);
  }
};
