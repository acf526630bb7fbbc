import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port';
import { waitFor } from './suite';

/** One node of a {@link PrivateCluster}. */
export interface ClusterNodeProcess {
  port: number;
  dir: string;
  child: ChildProcess | undefined;
}

/** A node's role and slots as `CLUSTER NODES` reports them. */
export interface NodeView {
  id: string;
  port: number;
  master: boolean;
  /** Master id of a replica. */
  masterId?: string;
  failed: boolean;
  slots: [number, number][];
}

/** `CLUSTER NODES` output, parsed. */
export function parseClusterNodes(text: string): NodeView[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, addr, flags, masterId, , , , , ...slots] = line.split(' ');
      const flagList = flags!.split(',');
      return {
        id: id!,
        port: Number(addr!.split('@')[0]!.split(':')[1]),
        master: flagList.includes('master'),
        masterId: masterId === '-' ? undefined : masterId,
        failed: flagList.includes('fail') || flagList.includes('fail?'),
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s) => {
            const [a, b] = s.split('-').map(Number);
            return [a!, b ?? a!] as [number, number];
          }),
      };
    });
}

/**
 * A Redis Cluster of the test's own: `masters` masters with one replica each, every node a
 * private `redis-server --cluster-enabled yes` on a free port with its own folder (AOF on, no
 * RDB), created with `redis-cli --cluster create`. A short node timeout makes a failover take
 * about two seconds.
 */
export class PrivateCluster {
  readonly nodes: ClusterNodeProcess[] = [];
  private readonly root = mkdtempSync(join(tmpdir(), 'private-cluster-'));

  private constructor(private readonly nodeTimeoutMs: number) {}

  static async start(masters = 3, nodeTimeoutMs = 1_000): Promise<PrivateCluster> {
    const cluster = new PrivateCluster(nodeTimeoutMs);
    try {
      for (let i = 0; i < masters * 2; i += 1) {
        const port = await freePort({ bus: true });
        const dir = join(cluster.root, String(port));
        mkdirSync(dir);
        cluster.nodes.push({ port, dir, child: undefined });
      }
      await Promise.all(cluster.nodes.map((node) => cluster.launch(node)));
      const created = spawnSync(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...cluster.nodes.map((n) => `127.0.0.1:${n.port}`),
          '--cluster-replicas',
          '1',
          '--cluster-yes',
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      if (created.status !== 0) {
        throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
      }
      await cluster.untilHealthy(30_000);
      await cluster.untilReplicated(30_000);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** The URL of the first node: what a service's REDIS_URL names (with FXCM_REDIS_CLUSTER=1). */
  get url(): string {
    return `redis://127.0.0.1:${this.nodes[0]!.port}`;
  }

  /** Every node as `host:port` (FXCM_REDIS_CLUSTER_NODES). */
  get seeds(): string[] {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`);
  }

  /** Starts (or restarts, with its folder and nodes.conf) one node; resolves once it answers. */
  async launch(node: ClusterNodeProcess): Promise<void> {
    node.child = spawn(
      'redis-server',
      [
        '--port',
        String(node.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        node.dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        String(this.nodeTimeoutMs),
        '--appendonly',
        'yes',
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    const probe = this.client(node.port);
    try {
      await waitFor(
        async () => (await probe.ping().catch(() => '')) === 'PONG',
        10_000,
        () => `redis-server on ${node.port} did not start`,
      );
    } finally {
      probe.disconnect();
    }
  }

  /** A plain connection to one node (not following the cluster). */
  client(port: number): Redis {
    const redis = new Redis(port, '127.0.0.1', {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 50,
    });
    redis.on('error', () => undefined); // a node being killed or started: expected
    return redis;
  }

  /** Runs one command on one node. */
  async ask(port: number, ...args: string[]): Promise<unknown> {
    const redis = this.client(port);
    try {
      return await redis.call(args[0]!, ...args.slice(1));
    } finally {
      redis.disconnect();
    }
  }

  /** The cluster's view from a live node. */
  async view(port: number): Promise<NodeView[]> {
    return parseClusterNodes(String(await this.ask(port, 'CLUSTER', 'NODES')));
  }

  /** The port of the master serving `slot`, seen from `port`. */
  async masterOf(slot: number, port = this.nodes[0]!.port): Promise<number> {
    const owner = (await this.view(port)).find(
      (n) => n.master && !n.failed && n.slots.some(([a, b]) => slot >= a && slot <= b),
    );
    if (!owner) throw new Error(`no live master serves slot ${slot}`);
    return owner.port;
  }

  /** Resolves once every live node says `cluster_state:ok` and all slots are served. */
  async untilHealthy(ms: number): Promise<void> {
    const live = (): ClusterNodeProcess[] =>
      this.nodes.filter((n) => n.child && n.child.exitCode === null && n.child.signalCode === null);
    await waitFor(
      async () => {
        for (const node of live()) {
          const info = String(await this.ask(node.port, 'CLUSTER', 'INFO').catch(() => ''));
          if (!info.includes('cluster_state:ok') || !info.includes('cluster_slots_ok:16384')) {
            return false;
          }
        }
        return true;
      },
      ms,
      () =>
        `the cluster did not become ok on ${live()
          .map((n) => n.port)
          .join(', ')}`,
    );
  }

  /**
   * Resolves once every node sees every other one and each master serving slots has a live
   * replica: `redis-cli --cluster create` returns while the replicas' roles are still spreading
   * by gossip, so a view taken at once may show a master without its replica.
   */
  async untilReplicated(ms: number): Promise<void> {
    await waitFor(
      async () => {
        for (const node of this.nodes) {
          const view = await this.view(node.port).catch(() => []);
          if (view.length !== this.nodes.length) return false;
          const replicated = view
            .filter((n) => n.master && n.slots.length > 0)
            .every((m) => view.some((n) => n.masterId === m.id && !n.master && !n.failed));
          if (!replicated) return false;
        }
        return true;
      },
      ms,
      () => 'not every node knew the replica of every master',
    );
  }

  /** SIGKILLs the node on `port`; resolves once it is gone. */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    const child = node?.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** Kills every node and removes their folders. Safe to call twice. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n.port)));
    rmSync(this.root, { recursive: true, force: true });
  }
}
