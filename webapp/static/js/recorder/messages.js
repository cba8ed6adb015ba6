// What went wrong, in words a person can act on. Each function takes the DOMException a media call threw.

const ALLOW_AGAIN = 'To allow it again, click the camera or lock icon at the left of the address bar (or open the '
  + "browser's site settings for this site), set Camera, Microphone and Screen sharing to Allow, then try again.";

/** The text for a failure of getDisplayMedia / getUserMedia. `what` names the device: 'screen', 'camera', 'microphone'. */
export function captureError(err, what) {
  const name = err && err.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    if (what === 'screen') {
      return `Screen sharing was not allowed, so Parley cannot record your screen. If you cancelled the picker, press Start recording again. ${ALLOW_AGAIN}`;
    }
    return `Parley may not use your ${what}: permission was denied. ${ALLOW_AGAIN}`;
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') {
    return what === 'microphone'
      ? 'No microphone was found. Plug one in and try again, or record without sound.'
      : `No ${what} was found. Connect one and try again, or choose another source.`;
  }
  if (name === 'NotReadableError' || name === 'AbortError') {
    return `Your ${what} could not be started: another app may be using it. Close that app and try again.`;
  }
  return `Your ${what} could not be started (${(err && err.message) || 'unknown error'}).`;
}

export const SHARE_ENDED = 'You stopped sharing your screen (or closed the shared tab or window), so the recording '
  + 'stopped there. Everything recorded until then is kept and uploading.';

export const OFFLINE = 'You are offline. Recording continues and every second is kept in this browser; it uploads '
  + 'as soon as the connection is back.';
