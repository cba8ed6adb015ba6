// Shown the moment recording stops: the share link and Copy, the upload's last second, the title, description
// and visibility (saved with PATCH /api/v1/videos/<id>), and Open, Delete, Record again.
import { csrfToken } from '../http.js';

export class SharePanel {
  /** apiTemplate: the video API URL with VIDEO_ID in place of the id; confirm(text, yes) -> Promise<boolean>. */
  constructor(dialog, { apiTemplate, confirm, onAgain, onDeleted }) {
    this.$ = (id) => dialog.querySelector(`#${id}`);
    this.apiTemplate = apiTemplate;
    this.confirm = confirm;
    this.upload = null;
    this.videoId = null;
    this.$('rec-copy').addEventListener('click', () => this.copy());
    this.$('rec-details').addEventListener('submit', (e) => { e.preventDefault(); this.save(); });
    this.$('rec-delete').addEventListener('click', async () => {
      if (await this.confirm('Delete this recording? This cannot be undone.', 'Delete')) {
        await this.remove();
        onDeleted();
      }
    });
    this.$('rec-again').addEventListener('click', () => onAgain());
  }

  /** Fills the panel for a recording that just stopped; resolves {videoId, videoUrl} once the server named it. */
  async show(upload, title) {
    this.upload = upload;
    this.videoId = null;
    this.$('rec-title').value = title;
    this.$('rec-description').value = '';
    this.$('rec-visibility').value = 'team';
    this.$('rec-saved').textContent = '';
    this.$('rec-copy').textContent = 'Copy link';
    this.setState('uploading', 'Uploading the last second…');
    if (!upload.videoUrl) {
      this.$('rec-share-link').value = '';
      await upload.ready(); // the server had not answered yet (offline at the start): the link comes with it
    }
    if (this.upload !== upload) return null;
    this.videoId = upload.videoId;
    const link = new URL(upload.videoUrl, window.location.href).href;
    this.$('rec-share-link').value = link;
    this.$('rec-open').href = link;
    return { videoId: upload.videoId, videoUrl: link };
  }

  setState(state, text) {
    const el = this.$('rec-upload-state');
    el.dataset.state = state;
    el.textContent = text;
  }

  async copy() {
    const input = this.$('rec-share-link');
    if (!input.value) return;
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      // No clipboard permission (or an insecure origin): select the link so Ctrl+C copies it.
      input.select();
      document.execCommand?.('copy');
    }
    this.$('rec-copy').textContent = 'Copied';
  }

  api() { return this.apiTemplate.replace('VIDEO_ID', encodeURIComponent(this.videoId)); }

  async save() {
    const saved = this.$('rec-saved');
    if (!this.videoId) {
      saved.textContent = 'The link is not ready yet; try again in a moment.';
      return;
    }
    saved.textContent = 'Saving…';
    const body = {
      title: this.$('rec-title').value.trim(),
      description: this.$('rec-description').value,
      visibility: this.$('rec-visibility').value,
    };
    try {
      const resp = await send(this.api(), 'PATCH', body);
      if (resp.ok) {
        saved.textContent = 'Saved';
      } else {
        const data = await resp.json().catch(() => ({}));
        saved.textContent = data.error || data.message || `Not saved (error ${resp.status}).`;
      }
    } catch {
      saved.textContent = 'Not saved: you seem to be offline. Try again when the connection is back.';
    }
  }

  /** Stops the upload, forgets its local chunks and deletes the video on the server (gone already is fine). */
  async remove() {
    const upload = this.upload;
    this.upload = null;
    await upload?.discard();
    if (this.videoId) {
      try { await send(this.api(), 'DELETE'); } catch { /* the tus DELETE already removed an unfinished video */ }
    }
    this.videoId = null;
  }
}

function send(url, method, body) {
  const headers = { 'X-CSRFToken': csrfToken(), Accept: 'application/json' };
  if (body) headers['Content-Type'] = 'application/json';
  return fetch(url, { method, credentials: 'same-origin', headers, body: body ? JSON.stringify(body) : undefined });
}
