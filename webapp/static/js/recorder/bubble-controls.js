// The camera bubble's corner and size buttons: usable before and during a recording, remembered per browser.
import { BUBBLE_SIZES, CORNERS } from './bubble-geometry.js';

const KEY = 'parley-recorder-bubble';

export class BubbleControls {
  /** onChange({corner, size}) is called on every change (the compositor follows at its next frame). */
  constructor(group, onChange) {
    this.group = group;
    this.onChange = onChange;
    this.value = { corner: 'bottom-right', size: 'M', ...recall() };
    group.addEventListener('click', (e) => {
      const button = e.target.closest('button');
      if (!button) return;
      if (button.dataset.corner) this.value.corner = button.dataset.corner;
      if (button.dataset.size) this.value.size = button.dataset.size;
      this.render();
      try { localStorage.setItem(KEY, JSON.stringify(this.value)); } catch { /* not remembered */ }
      this.onChange({ ...this.value });
    });
    this.render();
  }

  render() {
    for (const b of this.group.querySelectorAll('button')) {
      const on = b.dataset.corner ? b.dataset.corner === this.value.corner : b.dataset.size === this.value.size;
      b.setAttribute('aria-pressed', String(on));
    }
  }
}

function recall() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) || '{}');
    return {
      ...(CORNERS.includes(v.corner) ? { corner: v.corner } : {}),
      ...(v.size in BUBBLE_SIZES ? { size: v.size } : {}),
    };
  } catch {
    return {};
  }
}
