// Search as you type in the header's box: a WAI-ARIA 1.2 combobox with a grouped listbox (list autocomplete).
// The box stays a plain GET form: without this module, or when nothing is picked, Enter searches everything.
// Server text only ever reaches the page through textContent, and a suggestion only opens a same-origin URL.

const MIN_CHARS = 2; // the server answers an empty list below this, so don't ask
const DEBOUNCE_MS = 120;
const GROUPS = [['page', 'Pages'], ['video', 'Videos'], ['person', 'People']];
const EMPTY = 'No matches: press Enter to search everything';
const FAILED = 'Suggestions are not available right now: press Enter to search everything';

// Case- and accent-insensitive, one folded string per source character so positions map back to the title
// (the index folds accents too: "cafe" finds "Café", and the bold should cover "Caf").
function fold(ch) {
  return ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

// The typed words as the search reads them: query words such as `from:dana` or `type:video` are filters, not text.
function typedWords(query) {
  return query.split(/\s+/).map((w) => w.replace(/^[a-z]+:/i, '')).map((w) => [...w].map(fold).join(''))
    .filter(Boolean);
}

// Spans of `title` (start, end in UTF-16 units) where a title word begins with one of the typed words.
export function prefixSpans(title, query) {
  const words = typedWords(query);
  if (!words.length) return [];
  const chars = [...title];
  const spans = [];
  let offset = 0;
  let atWordStart = true;
  for (let i = 0; i < chars.length; i += 1) {
    const isWordChar = /[\p{L}\p{N}]/u.test(chars[i]);
    if (isWordChar && atWordStart) {
      for (const word of words) {
        let folded = '';
        let j = i;
        let end = offset;
        while (j < chars.length && folded.length < word.length) {
          folded += fold(chars[j]);
          end += chars[j].length;
          j += 1;
        }
        if (folded.startsWith(word)) {
          spans.push([offset, end]);
          break;
        }
      }
    }
    atWordStart = !isWordChar;
    offset += chars[i].length;
  }
  return spans;
}

// The title as text nodes, with <b> around the parts that match what was typed.
function titleWithPrefix(title, query) {
  const out = document.createElement('span');
  out.className = 'suggest-title';
  let at = 0;
  for (const [start, end] of prefixSpans(title, query)) {
    if (start > at) out.append(title.slice(at, start));
    const b = document.createElement('b');
    b.textContent = title.slice(start, end);
    out.append(b);
    at = end;
  }
  if (at < title.length) out.append(title.slice(at));
  return out;
}

function sameOriginPath(url) {
  try {
    const parsed = new URL(url, window.location.href);
    if (parsed.origin !== window.location.origin) return null;
    return parsed.pathname + parsed.search + parsed.hash;
  } catch {
    return null;
  }
}

function countSentence(n) {
  return n === 1 ? '1 suggestion' : `${n} suggestions`;
}

export function attach(form) {
  const input = form.querySelector('input[role=combobox][data-suggest]');
  const list = document.getElementById(input?.getAttribute('aria-controls') || '');
  const popup = list?.closest('.suggest-popup');
  const note = popup?.querySelector('.suggest-note');
  const status = form.querySelector('.suggest-status');
  if (!input || !popup || !list || !note || !status) return;
  const endpoint = input.dataset.suggest;
  input.setAttribute('autocomplete', 'off'); // the browser's own history list would cover ours
  // Said only where it is true: without this module the box is a plain search field.
  const hint = document.getElementById('header-search-hint');
  if (hint) input.setAttribute('aria-describedby', hint.id);

  let timer = 0;
  let inflight = null; // the AbortController of the request whose answer we still want
  let options = []; // the option elements, in the order ArrowDown walks them
  let active = -1;
  let shownFor = null; // the text the popup's content answers

  function setActive(i) {
    if (active >= 0 && options[active]) options[active].setAttribute('aria-selected', 'false');
    active = i;
    if (active >= 0) {
      const option = options[active];
      option.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function open() {
    popup.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function close() {
    setActive(-1);
    popup.hidden = true;
    input.setAttribute('aria-expanded', 'false');
  }

  function cancel() {
    clearTimeout(timer);
    if (inflight) inflight.abort();
    inflight = null;
    popup.classList.remove('is-loading');
  }

  function say(text) {
    // Rewritten even when unchanged so a screen reader hears a new answer to a new question.
    status.textContent = '';
    status.textContent = text;
  }

  function showMessage(text) {
    list.replaceChildren();
    options = [];
    setActive(-1);
    note.textContent = text;
    note.hidden = false;
    open();
  }

  function render(query, suggestions) {
    const byKind = new Map();
    for (const s of suggestions) {
      if (!s || typeof s.title !== 'string' || !sameOriginPath(String(s.url || ''))) continue;
      const kind = typeof s.kind === 'string' ? s.kind : 'other';
      if (!byKind.has(kind)) byKind.set(kind, []);
      byKind.get(kind).push(s);
    }
    const known = new Map(GROUPS);
    const order = [...GROUPS.map(([k]) => k).filter((k) => byKind.has(k)),
      ...[...byKind.keys()].filter((k) => !known.has(k))];
    const groups = [];
    options = [];
    for (const kind of order) {
      const safeKind = kind.replace(/[^a-z0-9-]/gi, '') || 'other';
      const group = document.createElement('ul');
      group.setAttribute('role', 'group');
      group.className = `suggest-group suggest-kind-${safeKind}`;
      const label = document.createElement('li');
      label.setAttribute('role', 'presentation');
      label.className = 'suggest-group-label';
      label.id = `${list.id}-group-${safeKind}`;
      label.textContent = known.get(kind) || kind.charAt(0).toUpperCase() + kind.slice(1);
      group.setAttribute('aria-labelledby', label.id);
      group.append(label);
      for (const s of byKind.get(kind)) {
        const option = document.createElement('li');
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        option.id = `${list.id}-option-${options.length}`;
        option.className = 'suggest-option';
        option.dataset.url = sameOriginPath(String(s.url));
        const icon = document.createElement('span');
        icon.className = 'suggest-icon';
        icon.setAttribute('aria-hidden', 'true');
        option.append(icon, titleWithPrefix(s.title, query));
        if (typeof s.detail === 'string' && s.detail) {
          const detail = document.createElement('span');
          detail.className = 'suggest-detail';
          detail.textContent = s.detail;
          option.append(detail);
        }
        group.append(option);
        options.push(option);
      }
      groups.push(group);
    }
    list.replaceChildren(...groups);
    setActive(-1);
    shownFor = query;
    if (!options.length) {
      showMessage(EMPTY);
      say('No matches');
      return;
    }
    note.hidden = true;
    open();
    say(countSentence(options.length));
  }

  async function ask(query) {
    cancel();
    const controller = new AbortController();
    inflight = controller;
    popup.classList.add('is-loading');
    try {
      const r = await fetch(`${endpoint}?q=${encodeURIComponent(query)}`, {
        signal: controller.signal, credentials: 'same-origin', headers: { Accept: 'application/json' },
      });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const body = await r.json();
      // A later keystroke has moved on: this answer is for text no longer in the box.
      if (inflight !== controller || input.value.trim() !== query) return;
      render(query, Array.isArray(body?.suggestions) ? body.suggestions : []);
    } catch (err) {
      if (err?.name === 'AbortError' || inflight !== controller) return;
      if (document.activeElement === input) {
        showMessage(FAILED);
        say(FAILED);
      }
    } finally {
      if (inflight === controller) {
        inflight = null;
        popup.classList.remove('is-loading');
      }
    }
  }

  function update() {
    const query = input.value.trim();
    clearTimeout(timer);
    if ([...query].length < MIN_CHARS) {
      cancel();
      shownFor = null;
      close();
      return;
    }
    if (query === shownFor && !inflight) {
      open();
      return;
    }
    timer = setTimeout(() => ask(query), DEBOUNCE_MS);
  }

  function go(option) {
    const url = option?.dataset.url;
    if (!url) return;
    cancel();
    close();
    window.location.assign(url);
  }

  input.addEventListener('input', update);
  input.addEventListener('focus', () => {
    if (shownFor !== null && input.value.trim() === shownFor) open();
  });
  input.addEventListener('blur', () => {
    cancel();
    close();
  });

  input.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    const expanded = !popup.hidden;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        event.preventDefault();
        if (!expanded) {
          update();
          return;
        }
        if (!options.length) return;
        const step = event.key === 'ArrowDown' ? 1 : -1;
        // From the box, Down goes to the first and Up to the last; past either end back to the box.
        let next = active + step;
        if (active < 0) next = step > 0 ? 0 : options.length - 1;
        setActive(next >= options.length || next < 0 ? -1 : next);
        return;
      }
      case 'Enter':
        if (expanded && active >= 0) {
          event.preventDefault();
          go(options[active]);
        } else {
          cancel();
          close(); // the form submits: search everything for what was typed
        }
        return;
      case 'Escape':
        event.preventDefault();
        if (expanded) {
          cancel();
          close();
        } else {
          cancel();
          input.value = '';
          shownFor = null;
          say('');
        }
        return;
      default:
    }
  });

  // Pressing an option must not take the focus (that would close the popup before the click lands).
  popup.addEventListener('pointerdown', (event) => event.preventDefault());
  popup.addEventListener('mousedown', (event) => event.preventDefault());
  popup.addEventListener('click', (event) => {
    const option = event.target.closest('[role=option]');
    if (option) go(option);
  });
}

const form = document.getElementById('header-search');
if (form?.querySelector('input[data-suggest]')) attach(form);
