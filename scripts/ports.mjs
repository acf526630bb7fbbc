// Ports for the local run: the wanted one when it is free, else any free one, so two runs on
// one machine do not collide.
import { createServer } from 'node:net';

function listenOn(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => {
      const { port: bound } = server.address();
      server.close(() => resolve(bound));
    });
  });
}

/** `wanted` if nothing listens on it, else a free port the system picks. */
export async function portOrFree(wanted) {
  return (await listenOn(wanted)) ?? (await listenOn(0));
}
