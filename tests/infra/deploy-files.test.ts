import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { readBuildVersion } from '@fxcm/service-runtime';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { envNamesOf, SERVICE_SPECS as specs } from '../harness/service-specs';
import { nodeFlagsOf, ROOT, SERVICE_NAMES } from '../harness/suite';

// No Docker engine runs here: these checks read compose.yaml against the compose-spec schema
// and against the services' own configuration declarations (Kubernetes: kubernetes.test.ts).

type ComposeService = {
  environment?: Record<string, string>;
  build?: { dockerfile: string };
  image?: string;
  volumes?: string[];
  depends_on?: string[] | Record<string, unknown>;
};
// merge: the file shares settings through YAML anchors and `<<` merge keys, as compose does.
const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

describe('compose.yaml', () => {
  it('is valid against the compose-spec schema', () => {
    const schema = JSON.parse(
      readFileSync(
        join(ROOT, 'tests', 'node_modules', 'dclint', 'schemas', 'compose.schema.json'),
        'utf8',
      ),
    ) as object;
    // The schema names draft-07 by its https URI; draft-07 is ajv's default dialect anyway.
    delete (schema as { $schema?: string }).$schema;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // and the schema does bite: a misspelt key or a wrong type is refused
    expect(validate({ services: { redis: { imagee: 'redis:7' } } })).toBe(false);
    expect(validate({ services: { redis: { image: 'redis:7', restart: 3 } } })).toBe(false);
  });

  it('runs the five services, each from its own Dockerfile, with only known configuration keys', () => {
    for (const service of Object.keys(specs) as (keyof typeof specs)[]) {
      const entry = compose.services[service];
      expect(entry).toBeDefined();
      expect(entry!.build?.dockerfile).toBe(`services/${service}/Dockerfile`);
      const unknown = Object.keys(entry!.environment ?? {}).filter(
        (k) => !envNamesOf(service).has(k),
      );
      expect({ service, unknown }).toEqual({ service, unknown: [] });
    }
    expect(compose.services.redis).toBeDefined();
    expect(compose.services.prometheus).toBeDefined();
  });

  it('runs Grafana with its Prometheus datasource and the suite dashboard provisioned from files', () => {
    const grafana = compose.services.grafana;
    expect(grafana?.image).toMatch(/^grafana\/grafana:/);
    const mounts = new Map(
      (grafana?.volumes ?? []).map((v) => [v.split(':')[1], v.split(':')[0]] as const),
    );
    expect(mounts.get('/etc/grafana/provisioning')).toBe('./infra/grafana/provisioning');
    const dashboards = mounts.get('/var/lib/grafana/dashboards');
    expect(dashboards).toBe('./infra/grafana/dashboards');
    const provisioning = join(ROOT, 'infra', 'grafana', 'provisioning');
    const datasource = parse(
      readFileSync(join(provisioning, 'datasources', 'prometheus.yml'), 'utf8'),
    ) as { datasources: { type: string; url: string; uid: string }[] };
    expect(datasource.datasources[0]).toMatchObject({
      type: 'prometheus',
      url: 'http://prometheus:9090',
    });
    const provider = parse(
      readFileSync(join(provisioning, 'dashboards', 'fxcm-suite.yml'), 'utf8'),
    ) as { providers: { type: string; options: { path: string } }[] };
    expect(provider.providers[0]).toMatchObject({
      type: 'file',
      options: { path: '/var/lib/grafana/dashboards' },
    });
    const dashboard = JSON.parse(
      readFileSync(join(ROOT, 'infra', 'grafana', 'dashboards', 'fxcm-suite.json'), 'utf8'),
    ) as { panels: { datasource: { uid: string }; targets: { expr: string }[] }[] };
    expect(dashboard.panels.length).toBeGreaterThan(0);
    for (const panel of dashboard.panels)
      expect(panel.datasource.uid).toBe(datasource.datasources[0]!.uid);
    expect(JSON.stringify(grafana?.depends_on)).toContain('prometheus');
  });
});

describe('the service Dockerfiles', () => {
  const version = readFileSync(join(ROOT, 'VERSION'), 'utf8').split('\n')[0]!.trim();
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it.each(Object.keys(specs))(
    '%s: the image holds VERSION where the service finds it, so it reports its build version',
    (service) => {
      const lines = readFileSync(join(ROOT, 'services', service, 'Dockerfile'), 'utf8').split('\n');
      // The image is the last stage: its WORKDIR and what it copies from the build context.
      const stages = lines.flatMap((l, i) => (/^FROM\s/.test(l) ? [i] : []));
      const final = lines.slice(stages[stages.length - 1]);
      const workdir = final
        .filter((l) => /^WORKDIR\s/.test(l))
        .map((l) => l.split(/\s+/)[1]!)
        .pop();
      expect(workdir).toBeDefined();
      const copies = final
        .filter((l) => /^COPY\s/.test(l) && !l.includes('--from='))
        .map((l) => l.split(/\s+/).filter((w) => !w.startsWith('--')))
        .filter((words) => words[1] === 'VERSION')
        .map((words) => posix.resolve(workdir!, words[2]!));
      expect(copies).toHaveLength(1);
      // Lay the image's files out in a scratch root and ask the service runtime, as it does at
      // start from its working directory.
      const image = mkdtempSync(join(tmpdir(), 'fxcm-image-'));
      try {
        const dest = join(image, copies[0]!.endsWith('/') ? `${copies[0]}VERSION` : copies[0]!);
        mkdirSync(dirname(dest), { recursive: true });
        copyFileSync(join(ROOT, 'VERSION'), dest);
        mkdirSync(join(image, workdir!), { recursive: true });
        expect(readBuildVersion({}, join(image, workdir!))).toBe(version);
      } finally {
        rmSync(image, { recursive: true, force: true });
      }
    },
  );

  it.each(SERVICE_NAMES)(
    '%s: node starts with the flags its package.json declares, in the image as with npm start',
    (service) => {
      const pkg = JSON.parse(
        readFileSync(join(ROOT, 'services', service, 'package.json'), 'utf8'),
      ) as { scripts: { start: string } };
      const command = ['node', ...nodeFlagsOf(service), 'dist/main.js'];
      const dockerfile = readFileSync(join(ROOT, 'services', service, 'Dockerfile'), 'utf8');
      const entrypoint = /^ENTRYPOINT\s+(.+)$/m.exec(dockerfile)?.[1];
      expect(JSON.parse(entrypoint ?? 'null')).toEqual(command);
      expect(pkg.scripts.start).toBe(command.join(' '));
    },
  );

  it('gives the low-rate ingestor and scheduler a small young generation, the others V8 defaults', () => {
    for (const service of SERVICE_NAMES) {
      const flags = nodeFlagsOf(service);
      if (service === 'ingestor' || service === 'scheduler') {
        expect(flags).toEqual([expect.stringMatching(/^--max-semi-space-size=\d+$/)]);
      } else expect(flags).toEqual([]);
    }
  });

  it('sends VERSION with the build context', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(ignored.filter((pattern) => /VERSION|^\*$|^\*\*$/.test(pattern))).toEqual([]);
  });
});
