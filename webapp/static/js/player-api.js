/** The watch page's player as the panels around it see it (filmstrip, chapters): each waits for playerReady().
 *  Times are the viewer's (0 = the start of what plays, after a trim), like the transcript's. */
let provide;
const ready = new Promise((resolve) => { provide = resolve; });

/** Resolves to { video, info(), offset(), seek(seconds), duration(), currentTime() }. */
export function playerReady() {
  return ready;
}

export function providePlayer(api) {
  provide(api);
}
