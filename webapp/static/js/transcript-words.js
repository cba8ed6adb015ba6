// The transcript as the panel works with it: one flat list of timed words (in the viewer's time), the word
// playing at a moment, and find's matching (case and accents folded, punctuation at word edges ignored).

// A pause longer than this after a word's end leaves nothing highlighted, so silence does not point at a word.
const PAUSE = 1.0;

/**
 * Segments as view() gives them -> [{start, end, text, raw, segment}] in time order (`raw` keeps the word's
 * leading space, which Whisper writes where the language puts one and leaves out in Chinese or Japanese). A segment without word timings
 * (captions uploaded from a file) gets its words spread over its time by length, so clicking and highlighting
 * still land near the right moment.
 */
export function timedWords(segments) {
  const out = [];
  segments.forEach((seg, index) => {
    const start = Number(seg.start) || 0;
    const end = Math.max(start, Number(seg.end) || start);
    const timed = (seg.words || [])
      .map(([a, b, word]) => ({
        start: Number(a), end: Number(b), text: String(word ?? '').trim(), raw: String(word ?? ''), segment: index,
      }))
      .filter((w) => w.text && Number.isFinite(w.start) && Number.isFinite(w.end));
    for (const w of timed.length ? timed : spread(seg.text, start, end, index)) out.push(w);
  });
  return out;
}

function spread(text, start, end, segment) {
  const tokens = String(text ?? '').split(/\s+/).filter(Boolean);
  const total = tokens.reduce((sum, t) => sum + t.length + 1, 0) || 1;
  let at = start;
  return tokens.map((token) => {
    const length = ((end - start) * (token.length + 1)) / total;
    const word = { start: at, end: at + length, text: token, raw: ` ${token}`, segment };
    at += length;
    return word;
  });
}

/** The index of the word playing at `t` seconds, or -1 (before the first word, or in a long pause). */
export function wordAt(words, t) {
  let lo = 0;
  let hi = words.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid].start <= t + 1e-3) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (found < 0 || t > words[found].end + PAUSE) return -1;
  return found;
}

/** A word or a query as find compares them: lower case, accents off, punctuation at the edges off. */
export function fold(text) {
  return String(text ?? '')
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/\s+/)
    .map((part) => part.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter(Boolean)
    .join(' ');
}

/** Builds the folded text of all words once, and answers queries against it. */
export class WordIndex {
  constructor(words) {
    this.starts = [];
    let text = '';
    for (const w of words) {
      this.starts.push(text.length);
      text += `${fold(w.text)} `;
    }
    this.text = text;
  }

  /**
   * Where `query` occurs, starting at the start of a word (so "demo" finds "demo" and "demos" but "the" does
   * not find "other"); a query of several words matches them in sequence. -> [{first, last}] word indexes.
   */
  find(query) {
    const q = fold(query);
    if (!q) return [];
    const matches = [];
    for (let i = 0; i < this.starts.length; i += 1) {
      if (!this.text.startsWith(q, this.starts[i])) continue;
      const endAt = this.starts[i] + q.length - 1;
      let last = i;
      while (last + 1 < this.starts.length && this.starts[last + 1] <= endAt) last += 1;
      matches.push({ first: i, last });
    }
    return matches;
  }
}
