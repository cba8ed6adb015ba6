// Where the camera bubble sits and how it is drawn: one rule for the page's canvas compositor and the worker's.
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

/**
 * Draw the camera's centre square (so the face is round) as the bubble on context g of a w x h picture, with a
 * thin white ring. `camera` is anything drawImage takes (a <video> on the page, a VideoFrame in the worker).
 */
export function drawBubble(g, w, h, bubble, camera, cameraWidth, cameraHeight) {
  const { x, y, r } = bubbleCircle(w, h, bubble.corner, bubble.size);
  const side = Math.min(cameraWidth, cameraHeight);
  g.save();
  g.beginPath();
  g.arc(x, y, r, 0, Math.PI * 2);
  g.clip();
  g.drawImage(camera, (cameraWidth - side) / 2, (cameraHeight - side) / 2, side, side, x - r, y - r, 2 * r, 2 * r);
  g.restore();
  g.lineWidth = Math.max(2, r * 0.04);
  g.strokeStyle = 'rgba(255, 255, 255, 0.9)';
  g.beginPath();
  g.arc(x, y, r, 0, Math.PI * 2);
  g.stroke();
}
