import { join } from 'node:path';
import { keys, streamNames } from '@fxcm/contracts';
import type { Redis } from 'ioredis';
import { PrivateCluster } from '../harness/private-cluster';
import { readReferenceBars, type ReferenceBar } from '../harness/reference-bars';
import { ROOT, waitFor } from '../harness/suite';
import { expectExactlyTheReference, SuiteRun } from '../harness/suite-run';

// The whole suite on a Redis Cluster of its own (3 masters, one replica each), unchanged but
// for where Redis is: the bundled real day through two bar-builder shards must come out on
// fxcm:ohlcv as exactly the reference bars, each once — on a healthy cluster, and when the
// master holding the day's tick stream is SIGKILLed mid-replay and its replica takes over.

const REFERENCE: ReferenceBar[] = readReferenceBars(join(ROOT, 'data', 'EURUSD_20140505_m1.csv'));
const EURUSD_SHARD = 1; // shardOf('EURUSD', 2)
/** Masters killed one after another (`pnpm test:cluster`: all three); npm test kills one. */
const KILLS = Math.min(3, Number(process.env.FXCM_CLUSTER_KILLS ?? 1));
/** Replay speed: about 30 s for the day, so every kill lands mid-replay. */
const SPEED = process.env.FXCM_CLUSTER_SPEED ?? '3000';

describe('the suite on a Redis Cluster', () => {
  let cluster: PrivateCluster | undefined;
  const plain: Redis[] = [];

  beforeAll(async () => {
    cluster = await PrivateCluster.start(3);
  }, 90_000);

  afterAll(async () => {
    for (const redis of plain) redis.disconnect();
    await cluster?.stop();
  });

  /**
   * The suite on the cluster, two shards, a second bar builder for shard 1; `url` names a node.
   * `beforeStart` runs once the namespace is known, before any service starts.
   */
  const startSuite = async (
    speed: string,
    port: number,
    beforeStart: (run: SuiteRun) => Promise<void> = async () => undefined,
  ): Promise<SuiteRun> => {
    const run = new SuiteRun(
      speed,
      REFERENCE.length,
      {},
      {
        url: `redis://127.0.0.1:${port}`,
        clusterSeeds: cluster!.seeds,
        common: { FXCM_SHARDS: '2' },
      },
    );
    await beforeStart(run);
    await run.start();
    run.launch('bar-builder', {
      name: 'bar-builder-1',
      env: { FXCM_INSTANCE: 'bar-builder-1' },
    });
    return run;
  };

  const slotOf = async (key: string): Promise<number> =>
    Number(await cluster!.ask(cluster!.nodes[0]!.port, 'CLUSTER', 'KEYSLOT', key));

  it(
    `replays the day through two shards and ${KILLS} master failover(s): exactly the reference bars, once, on every node`,
    async () => {
      const c = cluster!;
      const t0 = Date.now();
      const lap = (): string => `${((Date.now() - t0) / 1_000).toFixed(1)} s`;
      // a shard's streams hash on the shard alone (`{1}`), whatever the namespace
      const hot = await c.masterOf(await slotOf(streamNames('probe').ticks(EURUSD_SHARD)));
      const start = await c.view(hot);
      const hotId = start.find((n) => n.port === hot)!.id;
      // the suite's URL and the test's subscriber: the hot master's replica, never killed
      const steady = start.find((n) => n.masterId === hotId)!.port;
      // the masters to kill, the hot one first
      const victims = [hot, ...start.filter((n) => n.master && n.port !== hot).map((n) => n.port)];
      const perNode = new Map<number, number>();
      const run = await startSuite(SPEED, steady, async ({ prefix }) => {
        // a plain subscriber on every node: PUBLISH on a cluster reaches all of them
        for (const node of c.nodes) {
          const sub = c.client(node.port);
          plain.push(sub);
          perNode.set(node.port, 0);
          sub.on('message', () => perNode.set(node.port, perNode.get(node.port)! + 1));
          await sub.subscribe(`${prefix}:ohlcv`);
        }
      });
      const figures: string[] = [];
      try {
        for (let k = 0; k < KILLS; k += 1) {
          const victim = victims[k]!;
          const point = Math.round((REFERENCE.length * (k + 1)) / (KILLS + 2));
          await waitFor(
            () => run.finals1m().length >= point,
            120_000,
            () =>
              `only ${run.finals1m().length}/${point} final bars before kill ${k + 1}\n${run.logs()}`,
          );
          let replica = 0;
          await waitFor(
            async () => {
              const view = await c.view(steady);
              const victimId = view.find((n) => n.port === victim)?.id;
              replica = view.find((n) => n.masterId === victimId && !n.failed)?.port ?? 0;
              return replica !== 0;
            },
            30_000,
            () => `no live replica of ${victim} known to ${steady}`,
          );
          const atKill = run.finals1m().length;
          const killedAt = Date.now();
          await c.kill(victim);
          await waitFor(
            async () => (await c.view(steady)).some((n) => n.port === replica && n.master),
            30_000,
            () => `replica ${replica} was not promoted`,
          );
          const promotedMs = Date.now() - killedAt;
          await c.untilHealthy(30_000);
          const healthyMs = Date.now() - killedAt;
          await waitFor(
            () => run.finals1m().length > atKill,
            60_000,
            () => `no final bar after the failover\n${run.logs()}`,
          );
          const resumedMs = Date.now() - killedAt;
          expect(run.finals1m().length).toBeLessThan(REFERENCE.length); // the kill was mid-replay
          // the old master comes back as a replica of the promoted one
          await c.launch(c.nodes.find((n) => n.port === victim)!);
          await waitFor(
            async () => (await c.view(steady)).some((n) => n.port === victim && !n.master),
            30_000,
            () => `${victim} did not rejoin as a replica`,
          );
          figures.push(
            `kill ${k + 1} at ${lap()} (${atKill} final bars): replica promoted after ${promotedMs} ms, cluster ok after ${healthyMs} ms, next final bar after ${resumedMs} ms, old master back as replica after ${Date.now() - killedAt} ms`,
          );
        }
        await run.untilComplete(150_000);
        expectExactlyTheReference(run, REFERENCE);
        // every node's subscriber saw every message, but those of a killed node (down a while)
        const killed = new Set(victims.slice(0, KILLS));
        expect(c.nodes.filter((n) => !killed.has(n.port)).map((n) => perNode.get(n.port))).toEqual(
          c.nodes.filter((n) => !killed.has(n.port)).map(() => run.ohlcv.length),
        );

        // the keys used together share a slot; the suite's keys spread over more than one master
        const names = streamNames(run.namespace);
        const shardSlot = await slotOf(names.ticks(EURUSD_SHARD));
        expect(await slotOf(names.history(EURUSD_SHARD))).toBe(shardSlot);
        expect(await slotOf(names.bars(EURUSD_SHARD))).toBe(shardSlot);
        const store = keys(run.namespace).store('EURUSD', '1m');
        expect(await slotOf(`${store}:index`)).toBe(await slotOf(store));
        const owners = await Promise.all(
          [
            names.ticks(0),
            names.ticks(1),
            keys(run.namespace).published('EURUSD', '1m', 0),
            `{${run.namespace}}:bull:history:meta`,
            names.status,
          ].map(async (key) => c.masterOf(await slotOf(key), steady)),
        );
        expect(new Set(owners).size).toBeGreaterThan(1);
        for (const proc of run.services.values()) {
          expect(proc.output.join('')).not.toMatch(
            /uncaughtException|unhandledRejection|Unhandled error event|refusing to start/,
          );
        }
        console.log(
          [
            `redis cluster (3 masters + 3 replicas), 2 shards, replay x${SPEED}:`,
            ...figures,
            `done at ${lap()}: ${KILLS} kills, ${REFERENCE.length} reference bars, 0 lost, 0 duplicated, 0 wrong`,
          ].join('\n'),
        );
      } finally {
        await run.stop();
      }
    },
    120_000 + KILLS * 120_000,
  );
});
