// "Find in transcript": marks every match, counts them ("2 of 5"), and Next / Previous (Enter / Shift+Enter)
// move the playhead to each match in turn.
import { WordIndex } from './transcript-words.js';

export class TranscriptFind {
  /**
   * `spans()`: the word spans, index for index with the words; `now()`: the playhead in the viewer's time;
   * `go(word, span)`: seek to a match and show it.
   */
  constructor({ input, count, prev, next, spans, now, go }) {
    Object.assign(this, { input, count, prevButton: prev, nextButton: next, spans, now, go });
    this.index = new WordIndex([]);
    this.words = [];
    this.matches = [];
    this.current = -1;
    input.addEventListener('input', () => this.search());
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this.step(event.shiftKey ? -1 : 1);
      } else if (event.key === 'Escape' && input.value) {
        event.preventDefault();
        input.value = '';
        this.search();
      }
    });
    prev.addEventListener('click', () => this.step(-1));
    next.addEventListener('click', () => this.step(1));
    this.render();
  }

  /** A new transcript: index it and search again for what is typed. */
  setWords(words) {
    this.words = words;
    this.index = new WordIndex(words);
    this.search();
  }

  /** Marks the matches of what is typed; the current one is the first at or after the playhead (no seek yet). */
  search() {
    this.matches = this.index.find(this.input.value);
    const now = this.now();
    const after = this.matches.findIndex((m) => this.words[m.first].start >= now - 0.05);
    this.current = this.matches.length ? Math.max(0, after) : -1;
    this.render();
  }

  /** Next (+1) or previous (-1) match, wrapping around, and the playhead moves there. */
  step(direction) {
    if (!this.matches.length) return;
    const n = this.matches.length;
    this.current = (this.current + direction + n) % n;
    this.render();
    const match = this.matches[this.current];
    this.go(this.words[match.first], this.spans()[match.first]);
  }

  render() {
    const spans = this.spans();
    for (const span of spans) span.classList.remove('match', 'match-current');
    this.matches.forEach((m, i) => {
      for (let w = m.first; w <= m.last; w += 1) {
        spans[w]?.classList.add('match');
        if (i === this.current) spans[w]?.classList.add('match-current');
      }
    });
    const typed = Boolean(this.input.value.trim());
    const n = this.matches.length;
    this.count.textContent = !typed ? '' : n ? `${this.current + 1} of ${n}` : 'No matches';
    this.prevButton.disabled = n === 0;
    this.nextButton.disabled = n === 0;
    const match = this.matches[this.current];
    if (match) spans[match.first]?.dispatchEvent(new CustomEvent('transcript-reveal', { bubbles: true }));
  }
}
