// The filmstrip under the player: one picture per distinct screen (slide, page, window) with the time it appears.
// Click one to go there; the screen showing now is highlighted as the video plays. While the screens are read it
// shows the progress, and it says so when there are none or they cannot be read (offering the owner to read them
// again). Times are the viewer's, so a new trim reloads them: what it cut goes, the rest moves.
import { csrfToken } from './http.js';
import { playerReady } from './player-api.js';
import { formatClock } from './timecode.js';

const $ = (id) => document.getElementById(id);
const PENDING = new Set(['queued', 'running']);
const POLL_MS = 2500;
const WAIT_FOR_READY_MS = 15 * 60 * 1000;  // a video still processing gets its scan after it plays
const TRIM_CHECK_MS = 1000;  // the player's status is in memory: comparing its trim costs nothing
const RESCAN_STATES = new Set(['unavailable', 'empty']);

class Filmstrip {
  constructor(section, player) {
    this.section = section;
    this.player = player;
    this.list = $('filmstrip-list');
    this.items = [];
    this.screens = [];
    this.current = -1;
    this.since = Date.now();
    this.waiting = section.dataset.videoStatus !== 'ready';
    this.timer = null;
    this.trimKey = this.trim();
    this.list.addEventListener('click', (event) => {
      const item = event.target.closest('button[data-start]');
      if (item) this.player.seek(parseFloat(item.dataset.start));
    });
    const follow = () => this.highlight();
    player.video.addEventListener('timeupdate', follow);
    player.video.addEventListener('seeked', follow);
    // The player tells the panels' code nothing when the owner trims; its status (info) does change at once.
    setInterval(() => {
      const key = this.trim();
      if (key === this.trimKey) return;
      this.trimKey = key;
      this.load();
    }, TRIM_CHECK_MS);
    this.rescan = $('filmstrip-rescan');
    this.rescan?.addEventListener('submit', (event) => {
      event.preventDefault();
      this.readAgain();
    });
  }

  trim() {
    return JSON.stringify((this.player.info() || {}).trim || null);
  }

  later(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.load(), ms);
  }

  /** The owner's "Read screens again": the scan is queued, then followed here like the first one. */
  async readAgain() {
    const button = $('filmstrip-rescan-button');
    const error = $('filmstrip-rescan-error');
    button.disabled = true;
    error.hidden = true;
    try {
      const response = await fetch(this.rescan.action, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'X-CSRFToken': csrfToken(), Accept: 'application/json' },
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(data.error || `That did not work (${response.status}). Please try again.`);
      this.render(data);
      this.later(POLL_MS);
    } catch (e) {
      error.textContent = e instanceof TypeError ? 'Parley could not be reached. Please try again.' : e.message;
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  async load() {
    let data;
    try {
      const response = await fetch(this.section.dataset.url,
        { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
      if (!response.ok) throw new Error(String(response.status));
      data = await response.json();
    } catch {
      this.later(POLL_MS * 4);  // offline or restarting: try again later, quietly
      return;
    }
    this.render(data);
    const stillComing = PENDING.has(data.state) || (data.state === 'none' && this.waiting
      && Date.now() - this.since < WAIT_FOR_READY_MS);
    if (stillComing) this.later(POLL_MS);
  }

  render(data) {
    const state = data.state;
    this.section.hidden = state === 'none';
    const pending = PENDING.has(state);
    $('filmstrip-pending').hidden = !pending;
    if (pending) {
      const value = Math.max(0, Math.min(100, data.progress || 0));
      $('filmstrip-progress-text').textContent = state === 'queued' ? 'Waiting to read the screens…' : `Reading the screens… ${value}%`;
      $('filmstrip-progress').setAttribute('aria-valuenow', String(value));
      $('filmstrip-bar').style.width = `${value}%`;
    }
    const screens = pending || state === 'unavailable' ? [] : data.screens || [];
    $('filmstrip-none').hidden = !(state === 'done' || state === 'empty') || screens.length > 0;
    $('filmstrip-no-text').hidden = !(state === 'empty' && screens.length > 0);
    const unavailable = $('filmstrip-unavailable');
    unavailable.hidden = state !== 'unavailable';
    unavailable.textContent = data.reason || 'The screens of this video cannot be read here.';
    const none = (state === 'done' || state === 'empty') && screens.length === 0;
    if (this.rescan) this.rescan.hidden = !(RESCAN_STATES.has(state) || none);
    this.show(screens);
  }

  show(screens) {
    this.screens = screens;
    this.items = screens.map((screen) => this.item(screen));
    this.list.replaceChildren(...this.items.map((button) => {
      const li = document.createElement('li');
      li.append(button);
      return li;
    }));
    this.list.hidden = screens.length === 0;
    this.current = -1;
    this.highlight();
  }

  item(screen) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'filmstrip-item';
    button.dataset.start = String(screen.start);
    const when = formatClock(screen.start);
    const label = screen.heading ? `${when} ${screen.heading}` : `${when} (screen ${screen.number + 1})`;
    button.title = `Go to ${label}`;
    if (screen.image) {
      const img = document.createElement('img');
      img.src = screen.image;
      img.alt = '';  // the button's text names it
      img.loading = 'lazy';
      img.width = 160;
      img.height = 90;
      button.append(img);
    } else {
      const blank = document.createElement('span');
      blank.className = 'filmstrip-blank';
      button.append(blank);
    }
    const time = document.createElement('span');
    time.className = 'filmstrip-time';
    time.textContent = when;
    button.append(time);
    if (screen.heading) {
      const heading = document.createElement('span');
      heading.className = 'filmstrip-heading';
      heading.textContent = screen.heading;
      button.append(heading);
    }
    button.setAttribute('aria-label', `Go to ${label}`);
    return button;
  }

  highlight() {
    const now = this.player.currentTime();
    let at = -1;
    for (let i = 0; i < this.screens.length; i += 1) {
      if (this.screens[i].start <= now + 0.05) at = i; else break;
    }
    if (at === this.current) return;
    this.items[this.current]?.removeAttribute('aria-current');
    this.current = at;
    const item = this.items[at];
    if (!item) return;
    item.setAttribute('aria-current', 'true');
    // Keep it in view inside the strip only: scrolling the page while someone watches would be rude.
    const strip = this.list;
    const left = item.offsetLeft - strip.offsetLeft;
    if (left < strip.scrollLeft || left + item.offsetWidth > strip.scrollLeft + strip.clientWidth) {
      strip.scrollTo({ left: Math.max(0, left - strip.clientWidth / 3), behavior: 'smooth' });
    }
  }
}

const section = $('filmstrip');
if (section) {
  playerReady().then((player) => new Filmstrip(section, player).load());
}
