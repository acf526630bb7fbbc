import net from 'node:net';

/**
 * Ports for the services and private Redis servers a test starts.
 *
 * A port is drawn from 10000–21999, below Linux's ephemeral range (32768+), so no outgoing connection
 * of any process on the machine can be given it between the draw and the bind; a Redis Cluster node's
 * bus port (port + 10000) stays below that range too. A drawn port must bind on 127.0.0.1 (and, with
 * `bus`, so must port + 10000), and this process never hands out the same port twice. Parallel test
 * workers draw at random from 12,000 ports, so two of them picking the same one is rare, not excluded.
 */
const LOW = 10_000;
const HIGH = 22_000;
const given = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port free on 127.0.0.1 now; with `bus`, port + 10000 is free as well. */
export async function freePort(options: { bus?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (given.has(port) || (options.bus && given.has(port + 10_000))) continue;
    if (!(await bindable(port))) continue;
    if (options.bus && !(await bindable(port + 10_000))) continue;
    given.add(port);
    if (options.bus) given.add(port + 10_000);
    return port;
  }
  throw new Error(`no free port in ${LOW}–${HIGH - 1} after 200 draws`);
}
