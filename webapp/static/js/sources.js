// Choose and attach the best playable source: HLS (hls.js or native), then the MP4, then the instant original.

const RANK = { original: 1, mp4: 2, hls: 3 };

/** The best source this browser can play from a video's `playback` URLs, or null. */
export function bestSource(video, playback) {
  if (!playback) return null;
  if (playback.hls) {
    if (window.Hls && window.Hls.isSupported()) return { kind: 'hls', engine: 'hls.js', url: playback.hls };
    if (video.canPlayType('application/vnd.apple.mpegurl')) return { kind: 'hls', engine: 'native', url: playback.hls };
  }
  if (playback.mp4) return { kind: 'mp4', engine: 'native', url: playback.mp4 };
  if (playback.original && (!playback.original_mime || video.canPlayType(playback.original_mime))) {
    return { kind: 'original', engine: 'native', url: playback.original };
  }
  return null;
}

/** Owns what the <video> element plays; upgrades keep the position and whether it was playing. */
export class SourceManager {
  constructor(video, { onAttach } = {}) {
    this.video = video;
    this.current = null;
    this.hls = null;
    this.onAttach = onAttach || (() => {});
  }

  /** Switch to `source` if it is better than what plays now; returns true when it switched. */
  offer(source) {
    if (!source) return false;
    if (this.current && (RANK[source.kind] <= RANK[this.current.kind] || source.url === this.current.url)) return false;
    const first = !this.current;
    const resumeAt = first ? null : this.video.currentTime;
    const wasPlaying = !first && !this.video.paused && !this.video.ended;
    const rate = this.video.playbackRate;
    this.attach(source);
    this.video.addEventListener('loadedmetadata', () => {
      if (resumeAt) this.video.currentTime = resumeAt;
      this.video.playbackRate = rate;
      if (wasPlaying) this.video.play().catch(() => {});
      this.onAttach(source, first);
    }, { once: true });
    return true;
  }

  attach(source) {
    if (this.hls) {
      this.hls.destroy();
      this.hls = null;
    }
    this.current = source;
    this.video.dataset.source = source.kind;
    if (source.engine === 'hls.js') {
      this.hls = new window.Hls({ capLevelToPlayerSize: true });
      this.hls.on(window.Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR) this.hls.startLoad();
        else if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) this.hls.recoverMediaError();
      });
      this.hls.loadSource(source.url);
      this.hls.attachMedia(this.video);
    } else {
      this.video.src = source.url;
      this.video.load();
    }
  }
}
