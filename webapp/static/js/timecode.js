// Time as players show it (m:ss, h:mm:ss) and the deep-link forms people paste (?t=90, #t=1m30s, ?t=1:30).

export function formatClock(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
  const total = Math.floor(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** "90", "90s", "1m30s", "1h2m3s", "1:30", "1:02:03" -> seconds; null when it is none of these. */
export function parseTimecode(text) {
  if (text == null) return null;
  const value = String(text).trim().toLowerCase();
  if (/^\d+(\.\d+)?s?$/.test(value)) return parseFloat(value);
  const units = value.match(/^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/);
  if (units && (units[1] || units[2] || units[3])) {
    return (+units[1] || 0) * 3600 + (+units[2] || 0) * 60 + (parseFloat(units[3]) || 0);
  }
  if (/^\d+(:\d{1,2}){1,2}(\.\d+)?$/.test(value)) {
    return value.split(':').reduce((acc, part) => acc * 60 + parseFloat(part), 0);
  }
  return null;
}

/** The start time a link asks for: the fragment (#t=) wins over the query (?t=). */
export function startTimeFromLocation(loc = window.location) {
  const hash = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const query = new URLSearchParams(loc.search);
  for (const candidate of [hash.get('t'), query.get('t')]) {
    const seconds = parseTimecode(candidate);
    if (seconds != null) return seconds;
  }
  return null;
}
