// Search results: a transcript hit's picture becomes the storyboard tile of the moment it links to (the
// poster stays where there is no storyboard, or it cannot be read).
import { cueAt, loadStoryboard } from './storyboard.js';

const tracks = new Map(); // one request per storyboard, however many hits share it

function cuesOf(url) {
  if (!tracks.has(url)) tracks.set(url, loadStoryboard(url).catch(() => []));
  return tracks.get(url);
}

async function showTile(link) {
  const at = parseFloat(link.dataset.at);
  const cues = await cuesOf(link.dataset.storyboard);
  const cue = cues.length && Number.isFinite(at) ? cueAt(cues, at) : null;
  if (!cue) return;
  const tile = document.createElement('span');
  tile.className = 'search-tile';
  tile.style.width = `${cue.w}px`;
  tile.style.height = `${cue.h}px`;
  tile.style.backgroundImage = `url("${cue.url.replace(/"/g, '%22')}")`;
  tile.style.backgroundPosition = `-${cue.x}px -${cue.y}px`;
  link.replaceChildren(tile);
  link.classList.add('has-tile');
}

for (const link of document.querySelectorAll('.search-thumb[data-storyboard]')) showTile(link);
