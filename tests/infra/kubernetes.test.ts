import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { envNamesOf, secretEnvNames } from '../harness/service-specs';
import { ROOT, type ServiceName } from '../harness/suite';

// Every overlay rendered by `kubectl kustomize` (Debian: kubernetes-client), each rendered
// object validated against the Kubernetes OpenAPI schemas (kubernetes-models), then the
// suite's own rules: a volume per shard, probes, requests, the HPA, budgets, config/secret split.

const OVERLAYS = ['dev', 'prod'] as const;
const MODELS: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'autoscaling/v2': autoscaling,
  'policy/v1': policy,
};
const SERVICES: ServiceName[] = [
  'fxcm-gateway',
  'bar-builder',
  'scheduler',
  'publisher',
  'ingestor',
];

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: { cpu?: string; memory?: string } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };
    volumeClaimTemplates?: { metadata: { name: string } }[];
    scaleTargetRef?: { kind: string; name: string };
    minReplicas?: number;
    maxReplicas?: number;
  };
}

function render(overlay: string): K8sObject[] {
  const dir = join(ROOT, 'infra', 'k8s', 'overlays', overlay);
  const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (run.error) {
    throw new Error(`kubectl not found (Debian package kubernetes-client): ${run.error.message}`);
  }
  if (run.status !== 0) throw new Error(`kubectl kustomize ${overlay} failed:\n${run.stderr}`);
  return parseAllDocuments(run.stdout).map((d) => d.toJS() as K8sObject);
}

/** Validates against the schema of its apiVersion/kind; returns the problem, or undefined. */
function schemaProblem(object: unknown): string | undefined {
  const { apiVersion, kind } = object as K8sObject;
  const Model = MODELS[apiVersion]?.[kind] as
    (new (data: unknown) => { validate(): void }) | undefined;
  if (!Model) return `no schema for ${apiVersion} ${kind}`;
  try {
    new Model(object).validate();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const workloads = (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const suiteWorkloads = (objects: K8sObject[]) =>
  workloads(objects).filter((o) => SERVICES.includes(o.metadata.name as ServiceName));
const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  const objects = render(overlay);
  const configMap = objects.find(
    (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('fxcm-suite'),
  )!;

  it('renders, and every object validates against the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThan(10);
    const problems = objects
      .map((o) => ({ object: `${o.kind}/${o.metadata.name}`, problem: schemaProblem(o) }))
      .filter((p) => p.problem !== undefined);
    expect(problems).toEqual([]);
    // every namespaced object lands in the overlay's namespace
    const namespaces = new Set(
      objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace),
    );
    expect(namespaces).toEqual(new Set([overlay === 'dev' ? 'fxcm-dev' : 'fxcm']));
    expect(find(objects, 'Namespace', overlay === 'dev' ? 'fxcm-dev' : 'fxcm')).toBeDefined();
  });

  it('the schemas bite: a wrong type or a missing required field is refused', () => {
    const sts = structuredClone(find(objects, 'StatefulSet', 'bar-builder')!);
    expect(schemaProblem(sts)).toBeUndefined();
    sts.spec!.template!.spec.containers[0]!.ports![0]!.containerPort =
      'metrics' as unknown as number;
    expect(schemaProblem(sts)).toMatch(/containerPort must be integer/);
    const hpa = structuredClone(find(objects, 'HorizontalPodAutoscaler', 'publisher')!);
    delete hpa.spec!.maxReplicas;
    expect(schemaProblem(hpa)).toMatch(/maxReplicas/);
  });

  it('runs the bar builder as a StatefulSet, one replica and one volume per shard', () => {
    const sts = find(objects, 'StatefulSet', 'bar-builder')!;
    expect(sts.spec!.replicas).toBe(Number(configMap.data!.FXCM_SHARDS));
    expect(sts.spec!.volumeClaimTemplates!.map((v) => v.metadata.name)).toEqual(['cache']);
    const container = sts.spec!.template!.spec.containers[0]!;
    const cacheDir = container.env!.find((e) => e.name === 'FXCM_CACHE_DIR')!.value;
    expect(container.volumeMounts).toContainEqual({ name: 'cache', mountPath: cacheDir });
    // the pod name carries the ordinal, which is the shard
    expect(container.env!.find((e) => e.name === 'FXCM_INSTANCE')).toMatchObject({
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
  });

  it('scales the publisher with an HPA that owns its replica count', () => {
    const deployment = find(objects, 'Deployment', 'publisher')!;
    expect(deployment.spec!.replicas).toBeUndefined();
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'publisher')!;
    expect(hpa.spec!.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'publisher' });
    expect(hpa.spec!.minReplicas).toBeGreaterThanOrEqual(1);
    expect(hpa.spec!.maxReplicas).toBeGreaterThan(hpa.spec!.minReplicas!);
  });

  it('gives every service probes on /healthz and /readyz at its metrics port, and resource requests', () => {
    const port = Number(configMap.data!.FXCM_METRICS_PORT);
    for (const w of suiteWorkloads(objects)) {
      const c = w.spec!.template!.spec.containers[0]!;
      const named = c.ports!.find((p) => p.name === 'metrics');
      expect({ w: w.metadata.name, port: named?.containerPort }).toEqual({
        w: w.metadata.name,
        port,
      });
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
      expect(c.resources?.requests?.cpu).toBeDefined();
      expect(c.resources?.requests?.memory).toBeDefined();
    }
    expect(
      suiteWorkloads(objects)
        .map((w) => w.metadata.name)
        .sort(),
    ).toEqual([...SERVICES].sort());
  });

  it('covers the replicated services with disruption budgets whose selectors match their pods', () => {
    const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget');
    expect(budgets.map((b) => b.metadata.name).sort()).toEqual([
      'bar-builder',
      'ingestor',
      'publisher',
    ]);
    for (const budget of budgets) {
      const selector = budget.spec!.selector!.matchLabels!;
      const matched = workloads(objects).filter((w) =>
        Object.entries(selector).every(([k, v]) => w.spec!.template!.metadata.labels[k] === v),
      );
      expect({
        budget: budget.metadata.name,
        matched: matched.map((w) => w.metadata.name),
      }).toEqual({
        budget: budget.metadata.name,
        matched: [budget.metadata.name],
      });
    }
  });

  it('keeps secrets out of the ConfigMap, refers only to rendered config, and uses only declared keys', () => {
    const secrets = secretEnvNames();
    expect(secrets.has('FXCM_HMAC_SECRET')).toBe(true);
    expect(Object.keys(configMap.data!).filter((k) => secrets.has(k))).toEqual([]);
    const secretObjects = objects.filter((o) => o.kind === 'Secret');
    for (const w of suiteWorkloads(objects)) {
      const service = w.metadata.name as ServiceName;
      const c = w.spec!.template!.spec.containers[0]!;
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef) expect(from.configMapRef.name).toBe(configMap.metadata.name);
        if (from.secretRef) {
          if (overlay === 'dev') {
            expect(secretObjects.map((s) => s.metadata.name)).toContain(from.secretRef.name);
          } else {
            // prod: provided by the secret store, never rendered from git
            expect(from.secretRef.name).toBe('fxcm-suite-secrets');
            expect(secretObjects).toEqual([]);
          }
        }
      }
      const known = envNamesOf(service);
      const used = [...Object.keys(configMap.data!), ...(c.env ?? []).map((e) => e.name)];
      // shared keys are declared by at least one service; a service's own env by that service
      const undeclared = (c.env ?? []).map((e) => e.name).filter((n) => !known.has(n));
      expect({ service, undeclared }).toEqual({ service, undeclared: [] });
      expect(used.length).toBeGreaterThan(0);
    }
    const anyKnown = new Set(SERVICES.flatMap((s) => [...envNamesOf(s)]));
    expect(Object.keys(configMap.data!).filter((k) => !anyKnown.has(k))).toEqual([]);
  });
});
