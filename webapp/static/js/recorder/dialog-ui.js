// Small pieces of the recorder dialog: the in-dialog confirmation, the 3-2-1 countdown, the clock text.
// The confirmation lives inside the dialog (not window.confirm): a blocking confirm would freeze the canvas
// that draws the recording.

export function clock(ms) {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** askConfirm(text, yesLabel) -> Promise<boolean>, answered by the dialog's Discard / Keep buttons. */
export function confirmer(dialog) {
  const box = dialog.querySelector('#rec-confirm');
  const text = dialog.querySelector('#rec-confirm-text');
  const yes = dialog.querySelector('#rec-confirm-yes');
  const no = dialog.querySelector('#rec-confirm-no');
  let settle = null;
  const answer = (value) => {
    box.hidden = true;
    const s = settle;
    settle = null;
    s?.(value);
  };
  yes.addEventListener('click', () => answer(true));
  no.addEventListener('click', () => answer(false));
  return (message, yesLabel = 'Discard', noLabel = 'Keep recording') => {
    answer(false); // a newer question replaces an unanswered one
    text.textContent = message;
    yes.textContent = yesLabel;
    no.textContent = noLabel;
    box.hidden = false;
    no.focus();
    return new Promise((resolve) => { settle = resolve; });
  };
}

/** Shows 3, 2, 1 over the preview; resolves true when done, false if cancel() was called first. */
export function countdown(el, seconds = 3) {
  let timer = null;
  let done = null;
  const promise = new Promise((resolve) => {
    done = resolve;
    let left = seconds;
    el.hidden = false;
    el.textContent = String(left);
    timer = setInterval(() => {
      left -= 1;
      if (left > 0) {
        el.textContent = String(left);
        return;
      }
      clearInterval(timer);
      el.hidden = true;
      resolve(true);
    }, 1000);
  });
  promise.cancel = () => {
    clearInterval(timer);
    el.hidden = true;
    done(false);
  };
  return promise;
}
