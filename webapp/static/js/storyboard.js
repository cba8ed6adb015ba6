// Scrub previews from a WebVTT thumbnails track: cues whose text is `image.jpg#xywh=x,y,w,h`.

function parseVttTime(text) {
  const parts = text.trim().split(':').map(parseFloat);
  return parts.reduce((acc, part) => acc * 60 + part, 0);
}

/** Parse the track; image URLs are resolved against the VTT's own URL. */
export function parseStoryboard(vtt, vttUrl) {
  const base = new URL(vttUrl, window.location.href);
  const cues = [];
  const lines = vtt.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i].includes('-->')) continue;
    const [start, end] = lines[i].split('-->').map((part) => parseVttTime(part.trim().split(/\s+/)[0]));
    const target = (lines[i + 1] || '').trim();
    const match = target.match(/^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)$/);
    if (!match) continue;
    cues.push({
      start, end,
      url: new URL(match[1], base).href,
      x: +match[2], y: +match[3], w: +match[4], h: +match[5],
    });
  }
  return cues;
}

export async function loadStoryboard(url) {
  const resp = await fetch(url, { cache: 'no-store' });
  if (!resp.ok) throw new Error(`storyboard ${resp.status}`);
  return parseStoryboard(await resp.text(), url);
}

/** The cue covering `seconds` (the last one before it if there is a gap), or null. */
export function cueAt(cues, seconds) {
  let found = null;
  for (const cue of cues) {
    if (cue.start <= seconds) found = cue;
    if (seconds < cue.end) break;
  }
  return found || cues[0] || null;
}
