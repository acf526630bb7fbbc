// How `npm start`'s processes stop: the first SIGINT/SIGTERM asks for a clean stop, a second
// one forces it. A Ctrl-C in a terminal reaches the whole foreground process group and npm
// forwards it as well, so signals within `echoMs` of the first count as that same first one.
// The parent dying (npm killed, or its shell gone) counts as a SIGTERM, so nothing is orphaned.
// SIGUSR2 always forces: the bootstrap sends it to the runner on a second signal.

/**
 * @param {{ stop: (reason: string) => void, force: (reason: string) => void, echoMs?: number }} handlers
 */
export function onStopSignals({ stop, force, echoMs = 1000 }) {
  let firstAt;
  const onSignal = (reason) => {
    const now = Date.now();
    if (firstAt === undefined) {
      firstAt = now;
      stop(reason);
    } else if (now - firstAt >= echoMs) {
      force(reason);
    }
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGUSR2', () => force('SIGUSR2'));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) onSignal('parent exited');
  }, 250).unref();
}
