/** A sleep that `interrupt()` ends early, so `close()` never waits out a backoff. */
export interface Sleeper {
  sleep(ms: number): Promise<void>;
  interrupt(): void;
}

/** Creates a {@link Sleeper}; after `interrupt()` every later sleep returns at once. */
export function interruptibleSleep(): Sleeper {
  let interrupted = false;
  const waiting = new Set<() => void>();
  return {
    sleep(ms: number): Promise<void> {
      if (interrupted) return Promise.resolve();
      return new Promise((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          waiting.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        waiting.add(done);
      });
    },
    interrupt(): void {
      interrupted = true;
      for (const done of [...waiting]) done();
    },
  };
}
