import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv, type AnySchemaObject } from 'ajv';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import { parse, parseAllDocuments } from 'yaml';
import { orderSystemNatsAccountFiles } from '@catga/order-contracts';

// Validates the deployment files (k8s/, docker-compose.yml, Dockerfile, deploy/) against the
// schemas and against the sources: the variables the apps read, the paths they serve, the entry
// points the build produces and the shutdown timeout they drain within. Runs after the build.

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(full).isDirectory()) out.push(...filesUnder(full, keep));
    else if (keep(name)) out.push(full);
  }
  return out.sort();
}

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const apps = readdirSync(join(root, 'apps'))
  .filter((name) => existsSync(join(root, 'apps', name, 'src', 'main.ts')))
  .sort();

/** src/ folders of the apps and of the workspace packages they reach through their dependencies. */
function runtimeSourceDirs(): string[] {
  const byName = new Map<string, string>();
  for (const group of ['apps', 'libs']) {
    for (const name of readdirSync(join(root, group))) {
      const manifest = join(root, group, name, 'package.json');
      if (existsSync(manifest)) byName.set((JSON.parse(readFileSync(manifest, 'utf8')) as PackageJson).name, join(root, group, name));
    }
  }
  const seen = new Set<string>();
  const queue = apps.map((app) => join(root, 'apps', app));
  while (queue.length > 0) {
    const dir = queue.pop()!;
    if (seen.has(dir)) continue;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })) {
      const found = byName.get(dep);
      if (found) queue.push(found);
    }
  }
  return [...seen].map((dir) => join(dir, 'src')).sort();
}

const sources = runtimeSourceDirs()
  .flatMap((dir) => filesUnder(dir, (name) => name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts')))
  .map((file) => ({ file, text: readFileSync(file, 'utf8') }));

/** Environment variables the running services read: `process.env.X`, `env.X`, `env['X']`, destructuring. */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  const patterns = [/\b(?:process\.)?env\.([A-Z][A-Z0-9_]*)\b/g, /\b(?:process\.)?env\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\]/g];
  for (const { text } of sources) {
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) names.add(m[1]!);
    for (const m of text.matchAll(/\{([^}]*)\}\s*=\s*process\.env\b/g)) {
      for (const part of m[1]!.split(',')) {
        const name = part.split(':')[0]!.trim();
        if (/^[A-Z][A-Z0-9_]*$/.test(name)) names.add(name);
      }
    }
  }
  return names;
}

/** GET routes of the Nest controllers in the sources, e.g. /health/ready. */
function servedGetPaths(): Set<string> {
  const paths = new Set<string>();
  for (const { file, text } of sources) {
    if (!file.endsWith('.controller.ts')) continue;
    const prefix = /@Controller\(\s*(?:'([^']*)')?\s*\)/.exec(text)?.[1] ?? '';
    for (const m of text.matchAll(/@Get\(\s*(?:'([^']*)')?\s*\)/g)) {
      paths.add(`/${[prefix, m[1] ?? ''].filter(Boolean).join('/')}`.replace(/\/+/g, '/'));
    }
  }
  return paths;
}

/** The default of `shutdownTimeoutMs` in the core, in seconds. */
function shutdownTimeoutSeconds(): number {
  for (const { text } of sources) {
    const m = /shutdownTimeoutMs\s*\?\?\s*([\d_]+)/.exec(text);
    if (m) return Number(m[1]!.replace(/_/g, '')) / 1000;
  }
  throw new Error('no default for shutdownTimeoutMs found in the sources');
}

const envRead = variablesRead();
const served = servedGetPaths();
const drainSeconds = shutdownTimeoutSeconds();

// OpenTelemetry variables are read by the SDK itself as well as by our code.
const readBySdk = (name: string) => name.startsWith('OTEL_');
// Variables a deployment leaves to their default, each with the reason: the decisions, in one place.
const leftToDefault: Record<string, string> = {
  SAMPLE_IO_WAIT_MS: "a benchmark's stand-in for database latency in order-service; off (0) when deployed",
  SAMPLE_IO_SLOTS: 'goes with SAMPLE_IO_WAIT_MS',
  ...Object.fromEntries(
    ['TOKEN', 'CREDS', 'NKEY_SEED', 'TLS_CERT', 'TLS_KEY'].map((v) => [
      `CATGA_NATS_${v}`,
      'other ways to authenticate to NATS: the deployments give each service a user and password and trust the servers by their CA',
    ]),
  ),
  CATGA_FAILOVER: 'failover by liveness stays on in a deployment; `timeouts` is for measuring the fallback (npm run bench)',
  CATGA_REDIS_SENTINEL_USERNAME: "Kubernetes sets it (the sentinels' catga ACL user); compose's sentinels ask for a password only",
  CATGA_DASHBOARD_ACTIONS:
    "the operations API's writes (redrive, purge, saga retry and abort) stay off in a deployment until an operator turns them on",
};
const leftToDefaultInCompose: Record<string, string> = {
  ...leftToDefault,
  CATGA_INSTANCE_ID: 'replicas share one compose definition; the default (hostname + pid) is unique per container',
};

const pathOf = (url: string) => new URL(url, 'http://service').pathname;
/** The path a healthcheck command requests: from a whole URL, or a quoted path joined to one. */
const urlPathIn = (text: string) => /https?:\/\/[^/\s'"`]+(\/[^\s'"`)]*)/.exec(text)?.[1] ?? /['"`](\/[^\s'"`]*)['"`]/.exec(text)?.[1];

interface Manifest {
  readonly file: string;
  readonly object: { apiVersion: string; kind: string; metadata?: { name?: string } } & Record<string, unknown>;
}

const k8sDir = join(root, 'k8s');
const manifestFiles = filesUnder(k8sDir, (name) => /\.ya?ml$/.test(name) && name !== 'kustomization.yaml');
const parseErrors: string[] = [];
const manifests: Manifest[] = manifestFiles.flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc) => {
    parseErrors.push(...doc.errors.map((e) => `${relative(root, file)}: ${e.message}`));
    const object = doc.errors.length > 0 ? null : (doc.toJS() as Manifest['object'] | null);
    return object === null ? [] : [{ file: relative(root, file), object }];
  }),
);

const ofKind = <T>(kind: string): T[] => manifests.filter((m) => m.object.kind === kind).map((m) => m.object as unknown as T);
const named = <T extends { metadata?: { name?: string } }>(items: T[], name: string): T => {
  const found = items.find((i) => i.metadata?.name === name);
  assert.ok(found, `no manifest named ${name}`);
  return found;
};
const deployments = ofKind<IDeployment>('Deployment');
const configMaps = ofKind<IConfigMap>('ConfigMap');
const statefulSets = ofKind<IStatefulSet>('StatefulSet');
const k8sServices = ofKind<IService>('Service');
const appContainer = (d: IDeployment): IContainer => {
  const containers = d.spec?.template.spec?.containers ?? [];
  assert.equal(containers.length, 1, `${d.metadata?.name} runs one container`);
  return containers[0]!;
};
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** The environment a Deployment's container gets: its `env` and the ConfigMaps of its `envFrom`. */
function k8sEnvironment(d: IDeployment): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  const container = appContainer(d);
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    assert.ok(name, `${d.metadata?.name}: envFrom only from ConfigMaps`);
    for (const [key, value] of Object.entries(named(configMaps, name).data ?? {})) env.set(key, value);
  }
  for (const variable of container.env ?? []) env.set(variable.name, variable.value);
  return env;
}

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Stages of a Dockerfile, each a list of instructions (continuations joined, comments dropped). */
function dockerfileStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

const execForm = (args: string): string[] => {
  const parsed: unknown = JSON.parse(args);
  assert.ok(Array.isArray(parsed) && parsed.every((a) => typeof a === 'string'), `exec form expected: ${args}`);
  return parsed;
};

const dockerStages = dockerfileStages(read('Dockerfile'));
const runtimeStage = dockerStages.at(-1)!;
const lastOf = (keyword: string) => runtimeStage.filter((i) => i.keyword === keyword).at(-1)?.args;
const image = {
  entrypoint: execForm(lastOf('ENTRYPOINT') ?? '[]'),
  cmd: execForm(lastOf('CMD') ?? '[]'),
  workdir: lastOf('WORKDIR'),
};

/** The process a container runs, given the image's ENTRYPOINT/CMD and the overrides. */
function containerArgv(entrypoint: string[] | undefined, cmd: string[] | undefined): string[] {
  if (entrypoint) return [...entrypoint, ...(cmd ?? [])];
  return [...image.entrypoint, ...(cmd ?? image.cmd)];
}

function assertStartsBuiltApp(argv: string[], where: string): string {
  assert.equal(argv[0], 'node', `${where}: runs node (${argv.join(' ')})`);
  const script = argv[1] ?? '';
  const app = /^apps\/([^/]+)\/dist\/main\.js$/.exec(script)?.[1];
  assert.ok(app && apps.includes(app), `${where}: starts apps/<app>/dist/main.js, not "${script}"`);
  assert.ok(existsSync(join(root, script)), `${where}: ${script} is not in the build output (run npm run build)`);
  return app;
}

interface ComposeService {
  image?: string;
  build?: unknown;
  entrypoint?: string | string[];
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string | string[] };
  depends_on?: string[] | Record<string, { condition?: string }>;
  deploy?: { replicas?: number };
  stop_grace_period?: string;
  volumes?: Array<string | { type?: string; source?: string }>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as ComposeFile;
const secretsScript = read('deploy/secrets.sh');
const composeApps = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
const words = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean));
const composeEnvironment = (s: ComposeService): Map<string, string | undefined> => {
  const env = s.environment ?? {};
  if (Array.isArray(env)) return new Map(env.map((e) => [e.split('=')[0]!, e.includes('=') ? e.slice(e.indexOf('=') + 1) : undefined]));
  return new Map(Object.entries(env).map(([k, v]) => [k, v === null ? undefined : String(v)]));
};
const seconds = (duration: string) => {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  assert.ok(m && (m[1] || m[2]), `duration "${duration}" is minutes and seconds`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
};
const hostsOf = (urls: string) => urls.split(',').map((u) => new URL(u.includes('://') ? u.trim() : `redis://${u.trim()}`));

describe('NATS accounts', () => {
  it('deploy/nats/accounts.conf and k8s/nats/nats-accounts.yaml are what ORDER_SYSTEM_BUS_ACCESS generates (npm run nats-accounts)', () => {
    for (const [path, content] of Object.entries(orderSystemNatsAccountFiles())) assert.equal(read(path), content, `${path} is stale`);
  });
});

describe('deployment files: what the sources tell', () => {
  it('the scans find the variables, routes and timeout the services are known to use', () => {
    for (const name of ['CATGA_NATS_URL', 'CATGA_REDIS_URL', 'CATGA_SERVICE_NAME', 'PORT']) assert.ok(envRead.has(name), name);
    for (const path of ['/health/live', '/health/ready', '/metrics']) assert.ok(served.has(path), path);
    assert.ok(drainSeconds > 0);
    for (const name of Object.keys(leftToDefaultInCompose))
      assert.ok(envRead.has(name), `${name} is left to a default but read by nothing`);
    assert.deepEqual(apps, ['inventory-service', 'notification-service', 'order-api', 'order-service', 'payment-service']);
  });
});

describe('Kubernetes manifests', () => {
  it('every manifest under k8s/ parses and validates against the Kubernetes schemas', async () => {
    assert.deepEqual(parseErrors, []);
    assert.ok(manifests.length > 0);
    for (const { file, object } of manifests) {
      const where = `${file} ${object.kind}/${object.metadata?.name}`;
      assert.ok(object.metadata?.name, `${where}: has a name`);
      let models: Record<string, unknown>;
      try {
        models = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`)) as Record<string, unknown>;
      } catch {
        assert.fail(`${where}: no schema for ${object.apiVersion} ${object.kind}`);
      }
      const Model = models[object.kind] as new (data: unknown) => { validate(): void };
      assert.equal(typeof Model, 'function', `${where}: no model`);
      assert.doesNotThrow(() => new Model(object).validate(), where);
    }
  });

  it('kustomization.yaml lists every manifest file and only files that exist', () => {
    const kustomization = parse(read('k8s/kustomization.yaml')) as { kind: string; resources: string[] };
    assert.equal(kustomization.kind, 'Kustomization');
    const listed = kustomization.resources.map((r) => join(k8sDir, r)).sort();
    assert.deepEqual(
      listed.map((f) => relative(root, f)),
      manifestFiles.map((f) => relative(root, f)),
    );
  });

  it('every service has a Deployment, a Service, an autoscaler on CPU and memory and a disruption budget', () => {
    const hpas = ofKind<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler');
    const pdbs = ofKind<IPodDisruptionBudget>('PodDisruptionBudget');
    for (const app of apps) {
      const d = named(deployments, app);
      const labels = d.spec?.template.metadata?.labels;
      assert.ok(matches(d.spec?.selector.matchLabels, labels), `${app}: selector matches its pods`);
      assert.ok(matches(named(k8sServices, app).spec?.selector, labels), `${app}: Service selects its pods`);
      const hpa = named(hpas, app);
      assert.equal(hpa.spec?.scaleTargetRef.kind, 'Deployment');
      assert.equal(hpa.spec?.scaleTargetRef.name, app);
      const resources = (hpa.spec?.metrics ?? []).map((m) => m.resource?.name).sort();
      assert.deepEqual(resources, ['cpu', 'memory'], `${app}: scales on CPU and memory`);
      assert.ok((hpa.spec?.minReplicas ?? 1) >= 2, `${app}: at least two replicas`);
      assert.ok(matches(named(pdbs, app).spec?.selector?.matchLabels, labels), `${app}: PodDisruptionBudget selects its pods`);
      const resourcesSet = appContainer(d).resources;
      assert.ok(resourcesSet?.requests?.cpu && resourcesSet.requests.memory, `${app}: requests CPU and memory (the HPA needs them)`);
      assert.ok(resourcesSet.limits?.memory, `${app}: limits memory`);
    }
    for (const s of k8sServices) {
      const selected = [...deployments, ...statefulSets].some((w) => matches(s.spec?.selector, w.spec?.template.metadata?.labels));
      assert.ok(selected, `Service ${s.metadata?.name} selects a workload`);
    }
  });

  it('probes are /health/live for liveness and /health/ready for readiness, paths the apps serve', () => {
    for (const app of apps) {
      const c = appContainer(named(deployments, app));
      assert.equal(c.livenessProbe?.httpGet?.path, '/health/live', `${app} liveness`);
      assert.equal(c.readinessProbe?.httpGet?.path, '/health/ready', `${app} readiness`);
      for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
        const path = probe?.httpGet?.path;
        if (path) assert.ok(served.has(pathOf(path)), `${app}: ${path} is served`);
        const port = probe?.httpGet?.port;
        if (port)
          assert.ok(
            c.ports?.some((p) => p.name === port || p.containerPort === port),
            `${app}: probe port ${port} exists`,
          );
      }
    }
  });

  it('terminationGracePeriodSeconds exceeds the preStop delay plus the shutdown timeout', () => {
    for (const d of deployments) {
      const pod = d.spec?.template.spec;
      const preStop = appContainer(d).lifecycle?.preStop;
      const command = preStop?.exec?.command ?? [];
      const delay = preStop?.sleep?.seconds ?? (command[0] === 'sleep' ? Number(command[1]) : NaN);
      assert.ok(Number.isFinite(delay), `${d.metadata?.name}: preStop sleeps (sleep action or exec sleep N)`);
      const grace = pod?.terminationGracePeriodSeconds ?? 30;
      assert.ok(grace > delay + drainSeconds, `${d.metadata?.name}: grace ${grace} s > ${delay} s + ${drainSeconds} s`);
    }
  });

  it('each Deployment starts a file of the build output, for the service it is named after', () => {
    const kustomization = parse(read('k8s/kustomization.yaml')) as { images?: Array<{ name: string }> };
    for (const app of apps) {
      const c = appContainer(named(deployments, app));
      assert.equal(assertStartsBuiltApp(containerArgv(c.command, c.args), `k8s ${app}`), app);
      assert.ok(
        kustomization.images?.some((i) => c.image?.split(':')[0] === i.name),
        `${app}: image set by kustomization`,
      );
    }
  });

  it('every variable the services read is set in each Deployment or left to a default named here, and each one set is read', () => {
    for (const d of deployments) {
      const env = k8sEnvironment(d);
      for (const name of envRead) assert.ok(env.has(name) || name in leftToDefault, `${d.metadata?.name}: ${name} is not set`);
      for (const name of env.keys()) assert.ok(envRead.has(name) || readBySdk(name), `${d.metadata?.name}: ${name} is read by nothing`);
      const app = assertStartsBuiltApp(containerArgv(appContainer(d).command, appContainer(d).args), `k8s ${d.metadata?.name}`);
      assert.equal(env.get('CATGA_SERVICE_NAME'), app, `${d.metadata?.name}: CATGA_SERVICE_NAME`);
      const instance = appContainer(d).env?.find((e) => e.name === 'CATGA_INSTANCE_ID');
      assert.equal(instance?.valueFrom?.fieldRef?.fieldPath, 'metadata.name', `${d.metadata?.name}: CATGA_INSTANCE_ID is the pod name`);
    }
  });

  it('NATS runs 3 JetStream nodes on volume claims, routed through the headless Service, monitored on 8222', () => {
    const nats = named(statefulSets, 'nats');
    const replicas = nats.spec?.replicas ?? 1;
    assert.equal(replicas, 3);
    const headless = named(k8sServices, nats.spec!.serviceName!);
    assert.equal(headless.spec?.clusterIP, 'None');
    const conf = Object.values(named(configMaps, 'nats-config').data ?? {}).join('\n');
    const storeDir = /store_dir:\s*(\S+)/.exec(conf)?.[1];
    const claims = (nats.spec?.volumeClaimTemplates ?? []).map((c) => c.metadata?.name);
    const container = nats.spec!.template.spec!.containers[0]!;
    const dataMount = container.volumeMounts?.find((m) => storeDir?.startsWith(m.mountPath));
    assert.ok(dataMount && claims.includes(dataMount.name), 'the JetStream store is on a PersistentVolumeClaim');
    for (let i = 0; i < replicas; i++) assert.match(conf, new RegExp(`nats://nats-${i}\\.${headless.metadata?.name}:6222`));
    assert.match(conf, /http_port:\s*8222/);
    assert.ok(container.ports?.some((p) => p.containerPort === 8222));
    const env = k8sEnvironment(named(deployments, apps[0]!));
    const hosts = hostsOf(env.get('CATGA_NATS_URL') ?? '').map((u) => `${u.hostname}:${u.port}`);
    assert.deepEqual(
      hosts,
      Array.from({ length: replicas }, (_, i) => `nats-${i}.${headless.metadata?.name}:4222`),
    );
    assert.equal(env.get('CATGA_NATS_STREAM_REPLICAS'), String(replicas));
  });

  it('Redis runs with Sentinel, and the services reach every sentinel by name', () => {
    const redis = named(statefulSets, 'redis');
    const replicas = redis.spec?.replicas ?? 1;
    assert.equal(replicas, 3);
    const containers = redis.spec!.template.spec!.containers;
    assert.ok(
      containers.some((c) => c.ports?.some((p) => p.containerPort === 26379)),
      'a sentinel in each pod',
    );
    assert.ok((redis.spec?.volumeClaimTemplates ?? []).length > 0, 'data on a PersistentVolumeClaim');
    const master = redis.spec!.template.spec!.initContainers?.[0]?.env?.find((e) => e.name === 'MASTER_NAME')?.value;
    const env = k8sEnvironment(named(deployments, apps[0]!));
    assert.equal(env.get('CATGA_REDIS_MODE'), 'sentinel');
    assert.equal(env.get('CATGA_REDIS_SENTINEL_NAME'), master);
    const hosts = hostsOf(env.get('CATGA_REDIS_URL') ?? '').map((u) => `${u.hostname}:${u.port}`);
    const expected = Array.from({ length: replicas }, (_, i) => `redis-${i}.${redis.spec?.serviceName}:26379`);
    assert.deepEqual(hosts, expected);
  });
});

describe('docker-compose.yml', () => {
  it('validates against the Compose specification schema', () => {
    const schemaFile = join(dirname(createRequire(import.meta.url).resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as AnySchemaObject;
    delete schema.$schema; // draft-07, which Ajv's default build speaks; its https spelling is not registered
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const valid = validate(compose);
    assert.ok(valid, JSON.stringify(validate.errors, null, 2));
  });

  it('runs the five services from built entry points, with replicas, readiness healthchecks and healthy dependencies', () => {
    assert.deepEqual(composeApps.map(([name]) => name).sort(), apps);
    for (const [name, s] of composeApps) {
      assert.equal(assertStartsBuiltApp(containerArgv(words(s.entrypoint), words(s.command)), `compose ${name}`), name);
      assert.ok((s.deploy?.replicas ?? 1) >= 2, `${name}: deploy.replicas >= 2`);
      const path = urlPathIn((words(s.healthcheck?.test) ?? []).join(' '));
      assert.equal(path, '/health/ready', `${name}: healthcheck on readiness`);
      assert.ok(served.has(path), `${name}: ${path} is served`);
      const deps = s.depends_on;
      assert.ok(deps && !Array.isArray(deps), `${name}: depends_on with conditions`);
      for (const [dep, { condition }] of Object.entries(deps)) {
        assert.ok(compose.services[dep], `${name}: depends on unknown ${dep}`);
        if (compose.services[dep]!.healthcheck) assert.equal(condition, 'service_healthy', `${name} -> ${dep}`);
      }
    }
  });

  it('every variable the services read is set in each service, or left to a default named here', () => {
    const sentinelConf = read('deploy/redis/sentinel.conf');
    for (const [name, s] of composeApps) {
      const env = composeEnvironment(s);
      for (const variable of envRead) assert.ok(env.has(variable) || variable in leftToDefaultInCompose, `${name}: ${variable} is not set`);
      for (const variable of env.keys()) assert.ok(envRead.has(variable) || readBySdk(variable), `${name}: ${variable} is read by nothing`);
      assert.equal(env.get('CATGA_SERVICE_NAME'), name);
      const nodes = [...hostsOf(env.get('CATGA_NATS_URL') ?? ''), ...hostsOf(env.get('CATGA_REDIS_URL') ?? '')];
      for (const { hostname } of nodes) assert.ok(compose.services[hostname], `${name}: ${hostname} is a compose service`);
      assert.match(sentinelConf, new RegExp(`^sentinel monitor ${env.get('CATGA_REDIS_SENTINEL_NAME')} `, 'm'));
    }
  });

  it('stop_grace_period of each service exceeds the shutdown timeout', () => {
    for (const [name, s] of composeApps) {
      assert.ok(s.stop_grace_period, `${name}: stop_grace_period`);
      assert.ok(seconds(s.stop_grace_period) > drainSeconds, `${name}: ${s.stop_grace_period} > ${drainSeconds} s`);
    }
  });

  it('the NATS cluster has three routed nodes and every file mounted from the repository exists', () => {
    const routes = [...read('deploy/nats/nats.conf').matchAll(/nats:\/\/([\w-]+):6222/g)].map((m) => m[1]!);
    assert.equal(routes.length, 3);
    for (const node of routes) assert.ok(compose.services[node], `route to ${node}`);
    for (const [name, s] of Object.entries(compose.services)) {
      for (const volume of s.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
        if (source.startsWith('./deploy/secrets/')) {
          // Not in the repository: deploy/secrets.sh writes them (checked in "the compose deployment is locked down").
          assert.ok(
            secretsScript.includes(`$dir/${source.slice('./deploy/secrets/'.length)}`),
            `${name}: deploy/secrets.sh writes ${source}`,
          );
        } else if (source.startsWith('./')) assert.ok(existsSync(join(root, source)), `${name}: ${source} exists`);
      }
    }
  });

  it('Prometheus scrapes every service, and on the path that serves metrics', () => {
    const config = parse(read('deploy/prometheus/prometheus.yml')) as {
      scrape_configs: Array<{ job_name: string; metrics_path?: string; dns_sd_configs?: Array<{ names: string[] }> }>;
    };
    const job = config.scrape_configs.find((j) => j.dns_sd_configs);
    assert.ok(job && served.has(job.metrics_path ?? '/metrics'));
    assert.deepEqual(job.dns_sd_configs!.flatMap((c) => c.names).sort(), apps);
  });
});

describe('Dockerfile', () => {
  it('builds with npm ci and npm run build, ships production dependencies only, and runs as a non-root user', () => {
    const runs = dockerStages
      .flat()
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args);
    assert.ok(
      runs.some((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev')),
      'npm ci',
    );
    assert.ok(
      runs.some((r) => /\bnpm run build\b/.test(r)),
      'npm run build',
    );
    const production = runs.find((r) => /\bnpm ci\b.*--omit=dev/.test(r));
    assert.ok(production, 'production dependencies');
    for (const app of apps) {
      const { name } = JSON.parse(read(`apps/${app}/package.json`)) as PackageJson;
      assert.ok(production.includes(`-w ${name}`), `production dependencies of ${name}`);
    }
    assert.ok(dockerStages.length >= 2, 'multi-stage');
    const user = lastOf('USER');
    assert.ok(user && !/^(root|0)(:|$)/.test(user), `runs as ${user ?? 'root'}`);
    assert.equal(image.workdir, '/app', 'paths below are relative to /app, the repository root in the image');
  });

  it('its default command and HEALTHCHECK point at a built service and a served path', () => {
    assertStartsBuiltApp(containerArgv(undefined, undefined), 'Dockerfile CMD');
    const healthcheck = lastOf('HEALTHCHECK');
    if (healthcheck) {
      const path = urlPathIn(healthcheck);
      assert.ok(path && served.has(path), `HEALTHCHECK path ${path} is served`);
    }
    const ignored = read('.dockerignore');
    for (const pattern of ['node_modules', 'dist']) assert.match(ignored, new RegExp(`^\\*\\*/${pattern}$`, 'm'));
  });
});

describe('Grafana', () => {
  const dashboard = read('deploy/grafana/dashboards/catga.json');
  const metricSources = sources.filter(({ text }) => text.includes("from 'prom-client'"));
  const defined = new Set(metricSources.flatMap(({ text }) => [...text.matchAll(/['"`](catga_[a-z_]+)['"`]/g)].map((m) => m[1]!)));
  const queried = new Set([...dashboard.matchAll(/\b(catga_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, '')));

  it('the dashboard queries only metrics the services define, and every one of them', () => {
    assert.ok(defined.size > 0);
    for (const metric of queried) assert.ok(defined.has(metric), `${metric} is not a metric of the services`);
    for (const metric of defined) assert.ok(queried.has(metric), `${metric} is not on the dashboard`);
  });

  it('the dashboard uses the provisioned Prometheus datasource', () => {
    const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: Array<{ uid: string; type: string }>;
    };
    const uids = new Set([...dashboard.matchAll(/"uid":\s*"([^"]+)"/g)].map((m) => m[1]!));
    const prometheus = datasources.datasources.find((d) => d.type === 'prometheus');
    assert.ok(prometheus && uids.has(prometheus.uid));
    const dashboards = parse(read('deploy/grafana/provisioning/dashboards/catga.yml')) as {
      providers: Array<{ options: { path: string } }>;
    };
    const target = `:${dashboards.providers[0]!.options.path}:ro`;
    const mounted = compose.services.grafana?.volumes?.some((v) => typeof v === 'string' && v.endsWith(target));
    assert.ok(mounted, 'compose mounts the dashboards where the provider reads them');
  });
});
