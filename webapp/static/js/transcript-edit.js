// The owner corrects the transcript in place: "Edit" turns every segment's text into a text box, Save sends the
// segments that changed with the revision they were based on. A save based on an older revision is refused
// (409) with the server's explanation, and what was typed stays in the boxes so it is not lost.
import { csrfToken } from './http.js';

const $ = (id) => document.getElementById(id);
const MAX_CHARS = 2000;

export class TranscriptEditor {
  /** panel: the TranscriptPanel (data, segmentEls, show()); null when the viewer may not edit. */
  static attach(panel) {
    const toggle = $('transcript-edit-toggle');
    return toggle ? new TranscriptEditor(panel, toggle) : null;
  }

  constructor(panel, toggle) {
    this.panel = panel;
    this.toggle = toggle;
    this.url = toggle.dataset.apiUrl;
    this.bar = $('transcript-editbar');
    this.status = $('transcript-edit-status');
    this.save = $('transcript-save');
    this.active = false;
    this.base = null;
    this.boxes = [];
    toggle.addEventListener('click', () => (this.active ? this.stop() : this.start()));
    $('transcript-cancel').addEventListener('click', () => this.stop());
    this.save.addEventListener('click', () => this.send());
  }

  /** The transcript's state changed: Edit is offered only for a finished transcript. */
  stateChanged(state) {
    this.toggle.hidden = state !== 'done';
    if (state !== 'done' && this.active) this.stop();
  }

  start() {
    const data = this.panel.data;
    if (!data || data.state !== 'done') return;
    this.active = true;
    this.base = data.revision ?? 0;
    this.toggle.setAttribute('aria-pressed', 'true');
    this.toggle.textContent = 'Editing';
    this.bar.hidden = false;
    this.panel.panel.classList.add('editing');
    this.say('');
    this.boxes = data.segments.map((seg, index) => {
      const item = this.panel.segmentEls[index];
      const text = item.querySelector('.segment-text');
      const box = document.createElement('textarea');
      box.className = 'segment-edit';
      box.maxLength = MAX_CHARS;
      box.value = seg.text;
      box.rows = Math.max(2, Math.ceil(seg.text.length / 40));
      box.dataset.position = String(seg.position ?? index);
      box.dataset.original = seg.text;
      box.setAttribute('aria-label', `Text of the segment at ${item.querySelector('.segment-time')?.textContent || ''}`);
      box.addEventListener('input', () => box.classList.toggle('changed', box.value !== box.dataset.original));
      text.hidden = true;
      text.after(box);
      return box;
    });
    this.boxes[0]?.focus();
  }

  stop() {
    this.active = false;
    for (const box of this.boxes) {
      box.previousElementSibling?.removeAttribute('hidden');
      box.remove();
    }
    this.boxes = [];
    this.toggle.setAttribute('aria-pressed', 'false');
    this.toggle.textContent = 'Edit';
    this.bar.hidden = true;
    this.panel.panel.classList.remove('editing');
    this.panel.editorStopped();
  }

  say(message, kind = '') {
    this.status.textContent = message;
    this.status.className = `transcript-edit-status ${kind}`.trim();
  }

  changes() {
    return this.boxes
      .filter((box) => box.value.trim() !== box.dataset.original.trim())
      .map((box) => ({ position: Number(box.dataset.position), text: box.value }));
  }

  async send() {
    const segments = this.changes();
    if (!segments.length) {
      this.say('Nothing has changed yet: correct a segment\'s text, then save.', 'error');
      return;
    }
    if (segments.some((s) => !s.text.trim())) {
      this.say('A segment cannot be empty: give it some text.', 'error');
      return;
    }
    this.save.disabled = true;
    this.say('Saving…');
    let resp;
    let body = null;
    try {
      resp = await fetch(this.url, {
        method: 'PATCH',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(), Accept: 'application/json' },
        body: JSON.stringify({ base: this.base, segments }),
      });
      try { body = await resp.json(); } catch { body = null; }
    } catch {
      this.say('The corrections could not be sent (are you offline?). Nothing was lost: try Save again.', 'error');
      this.save.disabled = false;
      return;
    }
    this.save.disabled = false;
    if (!resp.ok) {
      this.say(body?.error || `The corrections were not saved (error ${resp.status}).`, 'error');
      return;
    }
    const count = segments.length;
    this.stop();
    this.panel.show(body);
    this.say('');
    this.panel.announce(`Saved: ${count} segment${count === 1 ? '' : 's'} corrected (revision ${body.revision}).`);
  }
}
