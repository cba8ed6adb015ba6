// The wiki editor: toolbar, live preview, autosaved drafts, file paste/drop, and who else is editing.
import { postForm, postJSON as post } from "./http.js";

const form = document.getElementById("wiki-editor");

if (form) {
  const body = form.querySelector('textarea[name="body"]');
  const title = form.querySelector('input[name="title"]');
  const base = form.querySelector('input[name="base_revision"]');
  const preview = form.querySelector(".wiki-preview");
  const state = form.querySelector(".wiki-save-state");
  const presenceNote = document.querySelector(".wiki-presence");
  const localKey = form.dataset.draftKey;
  let dirty = false;
  let submitting = false;

  // --- live preview (server-rendered with the same function as published pages) ---
  let previewTimer = null;
  let previewSeq = 0;
  async function refreshPreview() {
    const seq = ++previewSeq;
    try {
      const r = await post(form.dataset.previewUrl, { body: body.value, space: form.dataset.space });
      const data = await r.json();
      if (seq === previewSeq && r.ok) preview.innerHTML = data.html; // sanitized by the server's allowlist
    } catch (e) { /* offline: the next keystroke retries */ }
  }
  function schedulePreview() { clearTimeout(previewTimer); previewTimer = setTimeout(refreshPreview, 250); }

  // --- drafts: localStorage at once, the server a moment later ---
  let draftTimer = null;
  function saveLocal(extra = {}) {
    try { localStorage.setItem(localKey, JSON.stringify({ title: title.value, body: body.value, base: base.value, at: Date.now(), ...extra })); } catch (e) { /* storage full or off */ }
  }
  function readLocal() {
    try { return JSON.parse(localStorage.getItem(localKey) || "null"); } catch (e) { return null; }
  }
  function clearLocal() {
    try { localStorage.removeItem(localKey); } catch (e) { /* storage off */ }
  }
  async function saveDraft() {
    try {
      const r = await post(form.dataset.draftUrl, { title: title.value, body: body.value, base_revision: Number(base.value) || 0 });
      if (r.ok) {
        const data = await r.json();
        state.textContent = "Draft saved";
        showOthers(data.others || []);
      }
    } catch (e) { state.textContent = "Draft kept in this browser (offline)"; }
  }
  function changed() {
    dirty = true;
    saveLocal();
    schedulePreview();
    clearTimeout(draftTimer);
    draftTimer = setTimeout(saveDraft, 1500);
  }
  body.addEventListener("input", changed);
  title.addEventListener("input", changed);
  // The copy is marked as sent: whether the publish worked is known only on the next visit (see below).
  form.addEventListener("submit", () => { submitting = true; clearTimeout(draftTimer); saveLocal({ submitted: true }); });
  window.addEventListener("beforeunload", (e) => { if (dirty && !submitting) { saveLocal(); e.preventDefault(); } });

  const serverDraft = document.querySelector("[data-draft-body]");
  let local = readLocal();
  if (local && local.submitted) {
    if (local.body === body.value) {
      // The server sent the editor back with the text (a refusal): the copy is still the person's only draft.
      delete local.submitted;
      try { localStorage.setItem(localKey, JSON.stringify(local)); } catch (e) { /* storage off */ }
    } else if (!serverDraft) {
      // Sent, and the server keeps no draft: it was published (a publish discards the server draft; a refused
      // one keeps it), so the copy is spent and must not be offered to the next new page.
      clearLocal();
      local = null;
    }
  }
  // A local copy newer than the page text (e.g. the tab was closed before the server draft saved).
  if (local && local.body !== body.value && local.base === base.value && !serverDraft) {
    offerRestore(local.title, local.body);
  }

  async function discardDraft(notice) {
    clearLocal();
    dirty = false;
    notice.remove();
    try { await post(form.dataset.draftUrl, { discard: true }); } catch (e) { /* offline: the server copy stays */ }
    state.textContent = "Draft discarded";
  }

  function offerRestore(t, b) {
    const note = document.createElement("div");
    note.className = "flash flash-info";
    note.setAttribute("role", "status");
    note.textContent = "This browser kept unpublished text for this page. ";
    const btn = document.createElement("button");
    btn.type = "button"; btn.className = "link"; btn.textContent = "Restore it";
    btn.addEventListener("click", () => { title.value = t; body.value = b; note.remove(); changed(); });
    const drop = document.createElement("button");
    drop.type = "button"; drop.className = "link"; drop.textContent = "Discard it";
    drop.dataset.discardDraft = "";
    drop.addEventListener("click", () => discardDraft(note));
    note.append(btn, " ", drop);
    form.before(note);
  }
  document.querySelector("[data-restore-draft]")?.addEventListener("click", (e) => {
    title.value = document.querySelector("[data-draft-title]").value;
    body.value = document.querySelector("[data-draft-body]").value;
    e.target.closest(".wiki-draft-notice").remove();
    changed();
  });
  document.querySelector(".wiki-draft-notice [data-discard-draft]")?.addEventListener("click", (e) => {
    discardDraft(e.target.closest(".wiki-draft-notice"));
  });

  // --- toolbar ---
  const snippets = {
    heading: ["## ", "Heading", ""], bold: ["**", "bold text", "**"], italic: ["_", "italic text", "_"],
    ul: ["- ", "item", ""], ol: ["1. ", "item", ""], task: ["- [ ] ", "task", ""],
    link: ["[", "label", "](https://)"], wikilink: ["[[", "Page title", "]]"],
    code: ["```python\n", "code", "\n```"], image: ["![", "description", "](https://)"],
    table: ["| Column | Column |\n|---|---|\n| ", "cell", " | cell |"],
  };
  function insert(before, middle, after) {
    const s = body.selectionStart, e = body.selectionEnd;
    const chosen = body.value.slice(s, e) || middle;
    const lineStart = before.endsWith(" ") || before.endsWith("\n") ? (s === 0 || body.value[s - 1] === "\n" ? "" : "\n") : "";
    body.setRangeText(lineStart + before + chosen + after, s, e, "end");
    body.focus();
    changed();
  }
  form.querySelectorAll("[data-md]").forEach((btn) => btn.addEventListener("click", () => insert(...snippets[btn.dataset.md])));

  // --- attachments: paste, drop, or the file picker ---
  async function upload(files) {
    if (!form.dataset.uploadUrl) { state.textContent = "Publish the page first, then attach files."; return; }
    for (const file of files) {
      const fd = new FormData();
      fd.append("file", file, file.name);
      state.textContent = `Uploading ${file.name}…`;
      const r = await postForm(form.dataset.uploadUrl, fd);
      const data = await r.json().catch(() => ({}));
      if (r.ok) { insert("", data.markdown, "\n"); state.textContent = "File attached"; }
      else state.textContent = data.error || "Upload failed";
    }
  }
  body.addEventListener("paste", (e) => { if (e.clipboardData?.files?.length) { e.preventDefault(); upload(e.clipboardData.files); } });
  body.addEventListener("dragover", (e) => { if (e.dataTransfer?.types?.includes("Files")) e.preventDefault(); });
  body.addEventListener("drop", (e) => { if (e.dataTransfer?.files?.length) { e.preventDefault(); upload(e.dataTransfer.files); } });
  form.querySelector("[data-upload]")?.addEventListener("change", (e) => upload(e.target.files));

  // --- presence: a soft warning, never a lock ---
  function showOthers(names) {
    if (!presenceNote) return;
    presenceNote.hidden = names.length === 0;
    presenceNote.textContent = names.length ? `${names.join(", ")} ${names.length === 1 ? "is" : "are"} also editing this page. Your changes will be merged with theirs when possible.` : "";
  }
  if (form.dataset.presenceUrl) {
    const beat = async () => {
      try { const r = await post(form.dataset.presenceUrl, {}); if (r.ok) showOthers((await r.json()).others || []); } catch (e) { /* offline */ }
    };
    setInterval(beat, 20000); // the server forgets an editor that stops beating after a minute
  }
  refreshPreview();
}
