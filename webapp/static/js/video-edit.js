// The owner's edits on the watch page: title, description and visibility in place; delete after a confirmation.
import { csrfToken } from './http.js';

const $ = (id) => document.getElementById(id);

const VISIBILITY_TEXT = { team: 'Everyone in the team', private: 'Only you and admins' };

/** Send JSON with the session's CSRF token; resolves to {ok, status, body}. */
export async function sendJSON(url, method, data) {
  const resp = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(), Accept: 'application/json' },
    body: data === undefined ? undefined : JSON.stringify(data),
  });
  let body = null;
  try { body = await resp.json(); } catch { body = null; }
  return { ok: resp.ok, status: resp.status, body };
}

function showError(el, message) {
  el.textContent = message || '';
  el.hidden = !message;
}

/** Show what the server now holds, wherever the page shows it. */
export function showDetails(info) {
  $('video-title').textContent = info.title;
  document.title = `${info.title} · Parley`;
  const description = $('video-description');
  description.textContent = info.description || '';
  description.hidden = !info.description;
  const visibility = $('visibility-text');
  if (visibility) visibility.textContent = VISIBILITY_TEXT[info.visibility] || info.visibility;
}

/** Wire the owner's controls; `onSaved(info)` gets the video as the API returned it. */
export function initVideoEdit({ onSaved = () => {} } = {}) {
  const form = $('edit-form');
  if (!form) return;  // not the owner: the page carries no edit controls at all
  const toggle = $('edit-details');
  const error = $('edit-error');
  const title = $('edit-title');
  const description = $('edit-description');
  const visibility = $('edit-visibility');
  let saved = { title: title.value, description: description.value, visibility: visibility.value };

  const open = (show) => {
    form.hidden = !show;
    toggle.setAttribute('aria-expanded', String(show));
    if (show) title.focus();
    else toggle.focus();
  };
  toggle.addEventListener('click', () => open(form.hidden));
  $('edit-cancel').addEventListener('click', () => {
    title.value = saved.title;
    description.value = saved.description;
    visibility.value = saved.visibility;
    showError(error, '');
    open(false);
  });
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') $('edit-cancel').click();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!title.value.trim()) {
      showError(error, 'The title must not be empty.');
      title.focus();
      return;
    }
    const button = $('edit-save');
    button.disabled = true;
    try {
      const resp = await sendJSON(form.dataset.apiUrl, 'PATCH', {
        title: title.value, description: description.value, visibility: visibility.value,
      });
      if (!resp.ok) {
        showError(error, resp.body?.error || `Saving failed (${resp.status}). Please try again.`);
        return;
      }
      saved = { title: resp.body.title, description: resp.body.description, visibility: resp.body.visibility };
      title.value = saved.title;
      showError(error, '');
      showDetails(resp.body);
      onSaved(resp.body);
      open(false);
    } catch {
      showError(error, 'Parley could not be reached; your changes are still here. Please try again.');
    } finally {
      button.disabled = false;
    }
  });
  initDelete();
}

function initDelete() {
  const dialog = $('delete-dialog');
  const error = $('delete-error');
  $('delete-video').addEventListener('click', () => {
    showError(error, '');
    dialog.showModal();
  });
  $('delete-cancel').addEventListener('click', () => dialog.close());
  $('delete-confirm').addEventListener('click', async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      const resp = await fetch(dialog.dataset.apiUrl, {
        method: 'DELETE', credentials: 'same-origin', headers: { 'X-CSRFToken': csrfToken(), Accept: 'application/json' },
      });
      if (resp.ok || resp.status === 404) {
        window.location.assign(dialog.dataset.libraryUrl);
        return;
      }
      const body = await resp.json().catch(() => null);
      showError(error, body?.error || `Deleting failed (${resp.status}).`);
    } catch {
      showError(error, 'Parley could not be reached. The video was not deleted.');
    } finally {
      button.disabled = false;
    }
  });
}
