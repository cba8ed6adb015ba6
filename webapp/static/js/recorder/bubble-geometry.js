// Where the camera bubble sits: one rule for the page's canvas compositor and the worker's.
export const BUBBLE_SIZES = { S: 0.2, M: 0.28, L: 0.38 }; // diameter as a share of the picture's height
export const CORNERS = ['top-left', 'top-right', 'bottom-left', 'bottom-right'];

/** The bubble's circle in a w x h picture: centre (x, y) and radius r, in whole pixels. */
export function bubbleCircle(w, h, corner, size) {
  const r = Math.round((h * (BUBBLE_SIZES[size] || BUBBLE_SIZES.M)) / 2);
  const margin = Math.round(h * 0.04);
  const x = corner.endsWith('left') ? margin + r : w - margin - r;
  const y = corner.startsWith('top') ? margin + r : h - margin - r;
  return { x, y, r };
}
