import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkServerIdentity } from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { parse, parseAllDocuments } from 'yaml';

// The Kubernetes deployment is locked down by default: TLS on every NATS and Redis listener,
// a user and a password for every client, passwords only in Secrets, ingress denied unless named.
// Read from the manifests under k8s/ and from what k8s/create-secrets.sh and the Redis init.sh
// write; nothing here needs a cluster.

const root = fileURLToPath(new URL('../../', import.meta.url));
const k8sDir = join(root, 'k8s');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) return yamlFiles(full);
      return /\.ya?ml$/.test(name) && name !== 'kustomization.yaml' ? [full] : [];
    })
    .sort();
}

interface K8sObject {
  kind: string;
  metadata?: { name?: string; labels?: Record<string, string> };
}
const objects = yamlFiles(k8sDir).flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null)
    .map((object) => ({ file: relative(root, file), object })),
);
const ofKind = <T>(kind: string): T[] => objects.filter((o) => o.object.kind === kind).map((o) => o.object as T);
const byName = <T extends K8sObject>(items: T[], name: string): T => {
  const found = items.find((i) => i.metadata?.name === name);
  assert.ok(found, `no manifest named ${name}`);
  return found;
};
const namespace = (parse(readFileSync(join(k8sDir, 'kustomization.yaml'), 'utf8')) as { namespace: string }).namespace;

const deployments = ofKind<IDeployment & K8sObject>('Deployment');
const statefulSets = ofKind<IStatefulSet & K8sObject>('StatefulSet');
const configMaps = ofKind<IConfigMap & K8sObject>('ConfigMap');
const services = ofKind<IService & K8sObject>('Service');
const policies = ofKind<INetworkPolicy & K8sObject>('NetworkPolicy');
const configData = (name: string): Record<string, string> => byName(configMaps, name).data ?? {};

interface Workload {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly pod: IPodSpec;
}
const workloads: Workload[] = [...deployments, ...statefulSets].map((w) => ({
  name: w.metadata!.name!,
  labels: w.spec!.template.metadata?.labels ?? {},
  pod: w.spec!.template.spec!,
}));
const workload = (name: string) => {
  const found = workloads.find((w) => w.name === name);
  assert.ok(found, `no workload ${name}`);
  return found;
};
const container = (w: Workload, name: string, init = false): IContainer => {
  const found = (init ? w.pod.initContainers : w.pod.containers)?.find((c) => c.name === name);
  assert.ok(found, `${w.name}: no container ${name}`);
  return found;
};
const appNames = deployments.map((d) => d.metadata!.name!).sort();

// --- Secrets, as k8s/create-secrets.sh writes them ---------------------------------------------

interface CreatedSecret {
  readonly type: string;
  readonly data: Record<string, string>;
}
const createdSecrets = new Map<string, CreatedSecret>(
  parseAllDocuments(execFileSync('bash', [join(k8sDir, 'create-secrets.sh'), '--print', '-n', namespace], { encoding: 'utf8' }))
    .map((doc) => doc.toJS() as ISecret | null)
    .filter((s): s is ISecret => s !== null)
    .map((s) => [
      s.metadata!.name!,
      {
        type: s.type ?? 'Opaque',
        data: Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])),
      },
    ]),
);
const secret = (name: string): CreatedSecret => {
  const found = createdSecrets.get(name);
  assert.ok(found, `create-secrets.sh writes no Secret ${name}`);
  return found;
};

// --- What a container sees: its environment and the files mounted into it ----------------------

interface SecretRef {
  readonly name: string;
  readonly key: string;
}
const envVar = (c: IContainer, name: string): IEnvVar | undefined => c.env?.find((e) => e.name === name);
/** A variable's value: written in `env`, or from a ConfigMap of `envFrom`. */
function plainValue(c: IContainer, name: string): string | undefined {
  const own = envVar(c, name);
  if (own) return own.value;
  for (const source of c.envFrom ?? []) {
    const value = source.configMapRef ? configData(source.configMapRef.name!)[name] : undefined;
    if (value !== undefined) return value;
  }
  return undefined;
}
const secretRef = (c: IContainer, name: string): SecretRef | undefined => {
  const ref = envVar(c, name)?.valueFrom?.secretKeyRef;
  return ref ? { name: ref.name!, key: ref.key } : undefined;
};

interface MountedFile {
  readonly kind: 'configMap' | 'secret';
  readonly name: string;
  readonly key: string;
}
/** The ConfigMap or Secret key a path inside a container is, through its mounts and the pod's volumes. */
function mountedFile(w: Workload, c: IContainer, path: string): MountedFile | undefined {
  for (const mount of c.volumeMounts ?? []) {
    let relativePath: string;
    if (mount.subPath) {
      if (path !== mount.mountPath) continue;
      relativePath = mount.subPath;
    } else if (path.startsWith(`${mount.mountPath.replace(/\/$/, '')}/`)) {
      relativePath = path.slice(mount.mountPath.replace(/\/$/, '').length + 1);
    } else continue;
    const volume = w.pod.volumes?.find((v) => v.name === mount.name);
    assert.ok(volume, `${w.name}/${c.name}: no volume ${mount.name}`);
    const sources: Array<{ kind: MountedFile['kind']; name: string; items?: Array<{ key: string; path: string }> }> = [];
    if (volume.configMap) sources.push({ kind: 'configMap', name: volume.configMap.name!, items: volume.configMap.items });
    if (volume.secret) sources.push({ kind: 'secret', name: volume.secret.secretName!, items: volume.secret.items });
    for (const s of volume.projected?.sources ?? []) {
      if (s.configMap) sources.push({ kind: 'configMap', name: s.configMap.name!, items: s.configMap.items });
      if (s.secret) sources.push({ kind: 'secret', name: s.secret.name!, items: s.secret.items });
    }
    for (const source of sources) {
      const keys = source.kind === 'configMap' ? Object.keys(configData(source.name)) : Object.keys(secret(source.name).data);
      const key = source.items ? source.items.find((i) => i.path === relativePath)?.key : relativePath;
      if (key !== undefined && keys.includes(key)) return { kind: source.kind, name: source.name, key };
    }
  }
  return undefined;
}
const contentOf = (file: MountedFile) => (file.kind === 'configMap' ? configData(file.name)[file.key]! : secret(file.name).data[file.key]!);
function mountedText(w: Workload, c: IContainer, path: string): string {
  const file = mountedFile(w, c, path);
  assert.ok(file, `${w.name}/${c.name}: nothing is mounted at ${path}`);
  return contentOf(file);
}
const assertMountedSecret = (w: Workload, c: IContainer, path: string | undefined, expected: SecretRef, what: string) => {
  assert.ok(path, `${w.name}/${c.name}: ${what} is not set`);
  const file = mountedFile(w, c, path);
  assert.deepEqual(file, { kind: 'secret', ...expected }, `${w.name}/${c.name}: ${what} ${path} is ${expected.name}/${expected.key}`);
};

// --- NATS ---------------------------------------------------------------------------------------

const withoutComments = (text: string) =>
  text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');
/** The body of the first `name { … }` block at the start of a line, braces balanced. */
function natsBlock(conf: string, name: string): string | undefined {
  const open = new RegExp(`^[ \\t]*${name}\\s*[:=]?\\s*\\{`, 'm').exec(conf);
  if (!open) return undefined;
  let depth = 1;
  let i = open.index + open[0].length;
  for (; i < conf.length && depth > 0; i++) depth += conf[i] === '{' ? 1 : conf[i] === '}' ? -1 : 0;
  return conf.slice(open.index + open[0].length, i - 1);
}
const withoutBlock = (conf: string, name: string) => {
  const body = natsBlock(conf, name);
  return body === undefined ? conf : conf.replace(body, '');
};
const natsValue = (body: string, key: string) => new RegExp(`^\\s*${key}\\s*[:=]?\\s*"?([^"\\s]+)"?\\s*$`, 'm').exec(body)?.[1];

const nats = workload('nats');
const natsContainer = container(nats, 'nats');
const natsArgs = [...(natsContainer.command ?? []), ...(natsContainer.args ?? [])];
const natsConfPath = natsArgs[natsArgs.findIndex((a) => a === '--config' || a === '-c') + 1]!;
const natsConf = withoutComments(mountedText(nats, natsContainer, natsConfPath));
const accountsInclude = /^\s*include\s+"?([^"\s]+)"?/m.exec(natsConf)?.[1];
const accountsPath = accountsInclude && posix.join(posix.dirname(natsConfPath), accountsInclude);
const accountsFile = accountsPath ? mountedFile(nats, natsContainer, accountsPath) : undefined;
const accountsConf = accountsFile ? withoutComments(contentOf(accountsFile)) : '';
/** The users of accounts.conf, each with the variable its password is read from. */
const natsUsers = [...accountsConf.matchAll(/user:\s*"([^"]+)"\s*\n\s*password:\s*\$([A-Z0-9_]+)/g)].map((m) => ({
  user: m[1]!,
  variable: m[2]!,
}));

// --- Redis --------------------------------------------------------------------------------------

const redis = workload('redis');
const redisInit = container(redis, 'config', true);
const redisTemplates = configData('redis-config');
const directives = (conf: string) =>
  withoutComments(conf)
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((words) => words[0] !== '');
const directive = (conf: string, name: string) =>
  directives(conf)
    .find((words) => words[0] === name)
    ?.slice(1);
interface AclUser {
  readonly name: string;
  readonly rules: string[];
}
const aclUsers = (acl: string): AclUser[] =>
  directives(acl)
    .filter((words) => words[0] === 'user')
    .map(([, name, ...rules]) => ({ name: name!, rules }));
const aclUser = (acl: string, name: string | undefined) => {
  const user = aclUsers(acl).find((u) => u.name === name);
  assert.ok(user, `no ACL user ${name}`);
  return user;
};
const passwordVariable = (user: string) => `REDIS_PASSWORD_${user.toUpperCase().replace(/-/g, '_')}`;
const templateDir = dirname(redisInit.command?.find((a) => a.endsWith('init.sh')) ?? '');

// --- NetworkPolicies ----------------------------------------------------------------------------

const selects = (
  selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | undefined,
  labels: Record<string, string>,
) => {
  assert.ok(!selector?.matchExpressions?.length, 'selectors use matchLabels only (this check reads no expressions)');
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
};
interface Allowed {
  anyone: boolean;
  /** Workloads of this namespace whose pods are allowed. */
  workloads: string[];
  prometheus: boolean;
  /** Peers outside this namespace other than Prometheus. */
  others: number;
}
const isPrometheus = (peer: { namespaceSelector?: unknown; podSelector?: { matchLabels?: Record<string, string> } }) =>
  peer.namespaceSelector !== undefined && peer.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'prometheus';
/** Who may open a connection to a port of a workload's pods, through every policy that selects them. */
function allowedTo(w: Workload, port: { number: number; name?: string }): Allowed {
  const allowed: Allowed = { anyone: false, workloads: [], prometheus: false, others: 0 };
  const inNamespace = new Set<string>();
  for (const policy of policies) {
    const spec = policy.spec!;
    if (!selects(spec.podSelector, w.labels) || !(spec.policyTypes ?? ['Ingress']).includes('Ingress')) continue;
    for (const rule of spec.ingress ?? []) {
      const ports = rule.ports ?? [];
      if (ports.length > 0 && !ports.some((p) => p.port === port.number || (port.name !== undefined && p.port === port.name))) continue;
      if (!rule.from?.length) allowed.anyone = true;
      for (const peer of rule.from ?? []) {
        if (isPrometheus(peer)) allowed.prometheus = true;
        else if (peer.namespaceSelector || peer.ipBlock) allowed.others++;
        else for (const other of workloads) if (selects(peer.podSelector, other.labels)) inNamespace.add(other.name);
      }
    }
  }
  allowed.workloads = [...inNamespace].sort();
  return allowed;
}
/** Each Service port as the workload and container port it reaches. */
const servicePorts = services.flatMap((s) =>
  (s.spec?.ports ?? []).map((p) => {
    const target = workloads.find(
      (w) => Object.keys(s.spec?.selector ?? {}).length > 0 && selects({ matchLabels: s.spec?.selector }, w.labels),
    );
    assert.ok(target, `Service ${s.metadata?.name} selects no workload`);
    const targetPort = p.targetPort ?? p.port;
    const containerPort = target.pod.containers
      .flatMap((c) => c.ports ?? [])
      .find((cp) => cp.containerPort === targetPort || cp.name === targetPort);
    assert.ok(containerPort, `Service ${s.metadata?.name}: port ${targetPort} is no port of ${target.name}`);
    return { service: s.metadata!.name!, workload: target, port: { number: containerPort.containerPort, name: containerPort.name } };
  }),
);

const isSecretLike = (name: string) => /PASSWORD|TOKEN|SECRET|CREDENTIAL|NKEY|REDISCLI_AUTH|_PASS$|_KEY$/.test(name);

describe('Kubernetes deployment locked down: Secrets', () => {
  it('create-secrets.sh writes every Secret the manifests read, with every key they read, and no other', () => {
    const read = new Map<string, Set<string>>();
    const use = (name: string, key: string) => read.set(name, (read.get(name) ?? new Set()).add(key));
    for (const w of workloads) {
      for (const c of [...(w.pod.initContainers ?? []), ...w.pod.containers]) {
        assert.ok(!c.envFrom?.some((s) => s.secretRef), `${w.name}/${c.name}: Secrets through env, key by key`);
        for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) use(e.valueFrom.secretKeyRef.name!, e.valueFrom.secretKeyRef.key);
      }
      for (const v of w.pod.volumes ?? []) {
        const sources = [
          ...(v.secret ? [{ name: v.secret.secretName!, items: v.secret.items }] : []),
          ...(v.projected?.sources ?? []).flatMap((s) => (s.secret ? [s.secret] : [])),
        ];
        for (const s of sources) for (const key of s.items?.map((i) => i.key) ?? Object.keys(secret(s.name!).data)) use(s.name!, key);
      }
    }
    assert.deepEqual([...read.keys()].sort(), [...createdSecrets.keys()].sort());
    for (const [name, keys] of read) for (const key of keys) assert.ok(key in secret(name).data, `${name} has no key ${key}`);
    for (const name of ['nats-tls', 'redis-tls']) {
      assert.equal(secret(name).type, 'kubernetes.io/tls', name);
      assert.deepEqual(Object.keys(secret(name).data).sort(), ['ca.crt', 'tls.crt', 'tls.key'], name);
    }
    assert.ok(!objects.some((o) => o.object.kind === 'Secret'), 'no Secret is committed under k8s/');
  });

  it('every password and the token are 32 or more random letters and digits, starting with a letter', () => {
    const values = [...createdSecrets.values()].filter((s) => s.type === 'Opaque').flatMap((s) => Object.values(s.data));
    assert.ok(values.length > 0);
    // nats-server parses a variable's value as configuration (1e5x is a number), Redis config lines split on spaces.
    for (const value of values) assert.match(value, /^[A-Za-z][A-Za-z0-9]{31,}$/);
    assert.equal(new Set(values).size, values.length, 'each one its own');
  });

  it('each certificate is signed by its CA, holds its key, serves and authenticates, and covers every name it is reached by', () => {
    const catgaEnv = configData('catga-env');
    const natsNames = [
      ...(catgaEnv.CATGA_NATS_URL ?? '').split(',').map((u) => new URL(u.trim()).hostname),
      ...[...natsConf.matchAll(/nats:\/\/([\w.-]+):6222/g)].map((m) => m[1]!),
    ];
    const redisNames = [
      ...(catgaEnv.CATGA_REDIS_URL ?? '').split(',').map((u) => new URL(u.includes('://') ? u.trim() : `redis://${u.trim()}`).hostname),
      // What Redis and Sentinel announce, and what the sentinels tell the services to connect to.
      ...Array.from(
        { length: byName(statefulSets, 'redis').spec!.replicas! },
        (_, i) => directive(runInit(`redis-${i}`).redisConf, 'replica-announce-ip')![0]!,
      ),
    ];
    for (const [name, hosts] of [
      ['nats-tls', natsNames],
      ['redis-tls', redisNames],
    ] as const) {
      const { data } = secret(name);
      const ca = new X509Certificate(data['ca.crt']!);
      const cert = new X509Certificate(data['tls.crt']!);
      assert.ok(ca.ca, `${name}: ca.crt is a CA`);
      assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey), `${name}: tls.crt is signed by ca.crt`);
      assert.ok(cert.checkPrivateKey(createPrivateKey(data['tls.key']!)), `${name}: tls.key is the key of tls.crt`);
      // Routes, replication and Sentinel present the server certificate as a client.
      for (const usage of ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'])
        assert.ok(cert.keyUsage.includes(usage), `${name}: extended key usage ${usage}`);
      assert.ok(new Date(cert.validTo).getTime() > Date.now() + 300 * 86_400_000, `${name}: valid for most of a year`);
      assert.ok(hosts.length > 0);
      // The check nats.js and ioredis make (Node's), stricter than OpenSSL's and Go's about wildcards.
      for (const host of hosts)
        assert.equal(
          checkServerIdentity(host, { subject: {}, subjectaltname: cert.subjectAltName } as never),
          undefined,
          `${name}: ${host}`,
        );
    }
  });
});

describe('Kubernetes deployment locked down: NATS', () => {
  it('clients connect with TLS, and the routes with mutual TLS, from the mounted nats-tls Secret', () => {
    const cluster = natsBlock(natsConf, 'cluster');
    assert.ok(cluster, 'a cluster block');
    const clientTls = natsBlock(withoutBlock(natsConf, 'cluster'), 'tls');
    const routeTls = natsBlock(cluster, 'tls');
    for (const [where, tls] of [
      ['client port', clientTls],
      ['routes', routeTls],
    ] as const) {
      assert.ok(tls, `${where}: a tls block`);
      for (const [option, key] of [
        ['cert_file', 'tls.crt'],
        ['key_file', 'tls.key'],
        ['ca_file', 'ca.crt'],
      ] as const)
        assertMountedSecret(nats, natsContainer, natsValue(tls, option), { name: 'nats-tls', key }, `${where} ${option}`);
    }
    assert.equal(natsValue(routeTls!, 'verify'), 'true', 'routes verify the peer certificate');
    for (const listener of ['leafnodes', 'leafnode', 'gateway', 'websocket', 'mqtt']) {
      const block = natsBlock(natsConf, listener);
      if (block !== undefined) assert.ok(natsBlock(block, 'tls'), `${listener}: a tls block`);
    }
    for (const url of (configData('catga-env').CATGA_NATS_URL ?? '').split(',')) assert.match(url.trim(), /^tls:\/\//);
    for (const m of natsConf.matchAll(/^\s*(https?_port|http|https)\s*[:=]\s*(\d+)/gm))
      assert.equal(m[2], '8222', `${m[1]} is the monitoring port only`);
  });

  it('nats.conf includes accounts.conf from beside it: the generated nats-accounts ConfigMap', () => {
    assert.ok(accountsPath, 'nats.conf includes a file');
    assert.deepEqual(mountedFile(nats, natsContainer, accountsPath), { kind: 'configMap', name: 'nats-accounts', key: 'accounts.conf' });
    assert.match(accountsConf, /accounts\s*\{/);
    assert.deepEqual(natsUsers.map((u) => u.user).sort(), appNames, 'one user per service');
  });

  it('the NATS container gets each user password from nats-users, keyed by the user, and every password in the configuration is a variable', () => {
    assert.ok(natsUsers.length > 0);
    for (const { user, variable } of natsUsers) {
      assert.equal(variable, `NATS_PASSWORD_${user.toUpperCase().replace(/-/g, '_')}`);
      assert.deepEqual(secretRef(natsContainer, variable), { name: 'nats-users', key: user }, `${variable}`);
    }
    const passwords = [...`${natsConf}\n${accountsConf}`.matchAll(/\b(password|pass|token)\s*[:=]\s*(\S+)/g)];
    assert.equal(passwords.length, natsUsers.length);
    for (const m of passwords) assert.match(m[2]!, /^\$[A-Z0-9_]+$/, `${m[1]} is a variable`);
  });

  it('each service connects as its own NATS user, with that user password, trusting the CA of nats-tls', () => {
    for (const d of deployments) {
      const w = workload(d.metadata!.name!);
      const c = w.pod.containers[0]!;
      const user = plainValue(c, 'CATGA_NATS_USER');
      assert.equal(user, plainValue(c, 'CATGA_SERVICE_NAME'), `${w.name}: CATGA_NATS_USER is CATGA_SERVICE_NAME`);
      const account = natsUsers.find((u) => u.user === user);
      assert.ok(account, `${w.name}: ${user} is a user of accounts.conf`);
      assert.deepEqual(
        secretRef(c, 'CATGA_NATS_PASSWORD'),
        secretRef(natsContainer, account.variable),
        `${w.name}: the password NATS has for ${user}`,
      );
      assertMountedSecret(w, c, plainValue(c, 'CATGA_NATS_TLS_CA'), { name: 'nats-tls', key: 'ca.crt' }, 'CATGA_NATS_TLS_CA');
    }
  });
});

describe('Kubernetes deployment locked down: Redis', () => {
  const redisConf = redisTemplates['redis.conf'] ?? '';
  const sentinelConf = redisTemplates['sentinel.conf'] ?? '';
  const users = redisTemplates['users.acl'] ?? '';
  const sentinelUsers = redisTemplates['sentinel-users.acl'] ?? '';

  it('Redis and Sentinel listen on TLS only, on the ports their containers expose, in protected mode, replicating over TLS', () => {
    for (const [name, conf] of [
      ['redis', redisConf],
      ['sentinel', sentinelConf],
    ] as const) {
      const c = container(redis, name);
      assert.deepEqual(directive(conf, 'port'), ['0'], `${name}: no plain port`);
      assert.deepEqual(directive(conf, 'tls-port'), [String(c.ports?.[0]?.containerPort)], `${name}: tls-port is the container port`);
      assert.deepEqual(directive(conf, 'protected-mode'), ['yes'], `${name}: protected mode`);
      assert.deepEqual(directive(conf, 'tls-replication'), ['yes'], `${name}: to the data nodes over TLS`);
      for (const [option, key] of [
        ['tls-cert-file', 'tls.crt'],
        ['tls-key-file', 'tls.key'],
        ['tls-ca-cert-file', 'ca.crt'],
      ] as const)
        assertMountedSecret(redis, c, directive(conf, option)?.[0], { name: 'redis-tls', key }, `${name} ${option}`);
    }
    for (const o of objects) assert.doesNotMatch(JSON.stringify(o.object), /protected-mode no/, o.file);
    assertMountedSecret(redis, redisInit, '/etc/redis-tls/ca.crt', { name: 'redis-tls', key: 'ca.crt' }, 'the CA of init.sh');
  });

  it('the ACLs turn the default user off, name every other user on, and hold no password', () => {
    for (const [name, acl] of [
      ['users.acl', users],
      ['sentinel-users.acl', sentinelUsers],
    ] as const) {
      const list = aclUsers(acl);
      assert.ok(list.length > 1, name);
      assert.deepEqual(
        aclUser(acl, 'default').rules.slice(0, 2),
        ['off', 'resetpass'],
        `${name}: default off, and no nopass (protected mode)`,
      );
      for (const user of list) {
        assert.ok(user.rules.includes('on') !== user.rules.includes('off'), `${name}: ${user.name} is on or off`);
        for (const rule of user.rules) assert.ok(!/^(>|<|#|!)|^nopass$/.test(rule), `${name}: ${user.name} has a password rule ${rule}`);
      }
    }
    assert.deepEqual(directive(redisConf, 'aclfile'), ['/data/conf/users.acl']);
    assert.ok(!directive(redisConf, 'requirepass') && !directive(sentinelConf, 'requirepass'), 'ACL users, not requirepass');
  });

  it("each service authenticates to the data nodes and the sentinels as a user that is on, with that user's password, over TLS", () => {
    for (const d of deployments) {
      const w = workload(d.metadata!.name!);
      const c = w.pod.containers[0]!;
      const prefix = plainValue(c, 'CATGA_REDIS_PREFIX');
      const user = aclUser(users, plainValue(c, 'CATGA_REDIS_USERNAME'));
      assert.ok(user.rules.includes('on'), `${w.name}: ${user.name} is on`);
      assert.deepEqual(
        user.rules.filter((r) => /^(~|&|%|allkeys$|allchannels$)/.test(r)),
        [`~${prefix}:*`, `&${prefix}:*`],
        `${w.name}: ${user.name} reaches the keys and channels under ${prefix}: only`,
      );
      assert.ok(user.rules.includes('-@dangerous'), `${w.name}: ${user.name} runs no dangerous command`);
      assert.deepEqual(
        secretRef(c, 'CATGA_REDIS_PASSWORD'),
        secretRef(redisInit, passwordVariable(user.name)),
        `${w.name}: the password Redis has for ${user.name}`,
      );
      const sentinelUser = aclUser(sentinelUsers, plainValue(c, 'CATGA_REDIS_SENTINEL_USERNAME'));
      assert.ok(
        sentinelUser.rules.includes('on') && sentinelUser.rules.includes('-@all'),
        `${w.name}: ${sentinelUser.name} on Sentinel, with few commands`,
      );
      assert.deepEqual(
        secretRef(c, 'CATGA_REDIS_SENTINEL_PASSWORD'),
        secretRef(redisInit, passwordVariable(sentinelUser.name)),
        `${w.name}: the password Sentinel has for ${sentinelUser.name}`,
      );
      for (const url of (plainValue(c, 'CATGA_REDIS_URL') ?? '').split(',')) assert.match(url.trim(), /^rediss:\/\//);
      assertMountedSecret(w, c, plainValue(c, 'CATGA_REDIS_TLS_CA'), { name: 'redis-tls', key: 'ca.crt' }, 'CATGA_REDIS_TLS_CA');
    }
  });

  it("init.sh gives each user that is on the hash of its password from redis-users, and writes the replicas' and sentinels' credentials", () => {
    const { usersAcl, redisConf: written, sentinelConf: writtenSentinel, env, modes } = runInit('redis-1');
    for (const variable of Object.keys(env))
      assert.equal(secretRef(redisInit, variable)?.name, 'redis-users', `${variable} from redis-users`);
    const hash = (v: string) => createHash('sha256').update(v).digest('hex');
    for (const [template, acl] of [
      [users, usersAcl],
      [sentinelUsers, writtenSentinel],
    ] as const) {
      for (const user of aclUsers(template)) {
        const line = aclUser(acl, user.name).rules;
        if (user.rules.includes('on')) assert.deepEqual(line, [...user.rules, `#${hash(env[passwordVariable(user.name)]!)}`], user.name);
        else assert.deepEqual(line, user.rules, user.name);
      }
    }
    for (const password of Object.values(env)) assert.ok(!usersAcl.includes(password), 'users.acl holds hashes only');
    // A replica authenticates as a user allowed to replicate; Sentinel as one allowed what Sentinel does.
    const replication = aclUser(users, directive(written, 'masteruser')?.[0]);
    assert.ok(['+psync', '+replconf', '+ping'].every((r) => replication.rules.includes(r)));
    assert.deepEqual(directive(written, 'masterauth'), [env[passwordVariable(replication.name)]]);
    const master = redisInit.env?.find((e) => e.name === 'MASTER_NAME')?.value;
    const sentinelLines = directives(writtenSentinel).filter((w) => w[0] === 'sentinel');
    const sentinelAs = aclUser(users, sentinelLines.find((w) => w[1] === 'auth-user' && w[2] === master)?.[3]);
    for (const rule of [
      '+multi',
      '+slaveof',
      '+ping',
      '+exec',
      '+subscribe',
      '+config|rewrite',
      '+role',
      '+publish',
      '+info',
      '+client|setname',
      '+client|kill',
      '+script|kill',
    ])
      assert.ok(sentinelAs.rules.includes(rule), `${sentinelAs.name}: ${rule}`);
    assert.ok(sentinelAs.rules.includes('allchannels'), `${sentinelAs.name}: the hello channel`);
    assert.deepEqual(sentinelLines.find((w) => w[1] === 'auth-pass' && w[2] === master)?.slice(3), [
      env[passwordVariable(sentinelAs.name)],
    ]);
    const peer = aclUser(sentinelUsers, sentinelLines.find((w) => w[1] === 'sentinel-user')?.[2]);
    assert.ok(peer.rules.includes('on'));
    assert.deepEqual(sentinelLines.find((w) => w[1] === 'sentinel-pass')?.slice(2), [env[passwordVariable(peer.name)]]);
    assert.deepEqual(modes, [0o600, 0o600, 0o600], 'the written files are the Redis user only');
  });

  it('init.sh stops when a password is missing', () => {
    const result = runInitRaw('redis-0', { REDIS_PASSWORD_CATGA: undefined });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /REDIS_PASSWORD_CATGA/);
  });

  it('the probes and preStop authenticate with the sentinel user password, from redis-users, over TLS', () => {
    for (const name of ['redis', 'sentinel']) {
      const c = container(redis, name);
      assert.deepEqual(secretRef(c, 'REDISCLI_AUTH'), secretRef(redisInit, 'REDIS_PASSWORD_SENTINEL'), `${name}: REDISCLI_AUTH`);
      for (const probe of [c.livenessProbe, c.readinessProbe]) {
        const command = (probe?.exec?.command ?? []).join(' ');
        assert.match(command, /redis-cli --tls --cacert \/etc\/redis-tls\/ca\.crt --user sentinel\b/, `${name}: ${command}`);
      }
    }
    const preStop = redisTemplates['pre-stop.sh'] ?? '';
    assert.equal(spawnSync('sh', ['-n'], { input: preStop }).status, 0, 'pre-stop.sh parses');
    assert.match(preStop, /TLS="--tls --cacert \/etc\/redis-tls\/ca\.crt"/);
    assert.equal([...preStop.matchAll(/redis-cli \$TLS --user sentinel /g)].length, 2);
  });
});

describe('Kubernetes deployment locked down: the services', () => {
  it('every password, token and key in any container comes from a Secret, and no ConfigMap holds one', () => {
    for (const w of workloads) {
      for (const c of [...(w.pod.initContainers ?? []), ...w.pod.containers]) {
        for (const e of c.env ?? [])
          if (isSecretLike(e.name))
            assert.ok(e.valueFrom?.secretKeyRef && e.value === undefined, `${w.name}/${c.name}: ${e.name} from a Secret`);
      }
    }
    for (const m of configMaps)
      for (const key of Object.keys(m.data ?? {})) assert.ok(!isSecretLike(key), `ConfigMap ${m.metadata?.name}: ${key}`);
    const credential = /\b(masterauth|requirepass|auth-pass|sentinel-pass)\b/;
    for (const key of ['redis.conf', 'sentinel.conf'])
      for (const words of directives(redisTemplates[key] ?? '')) assert.ok(!credential.test(words.join(' ')), `${key}: ${words.join(' ')}`);
    const written = (redisTemplates['init.sh'] ?? '').split('\n').filter((line) => credential.test(line));
    assert.equal(written.length, 3, 'init.sh writes masterauth, sentinel-pass and auth-pass');
    for (const line of written)
      assert.match(line, /^\s*echo ".* \$\{REDIS_PASSWORD_[A-Z_]+\}"$/, `written from the environment: ${line.trim()}`);
  });

  it('each service gets its users, passwords, CAs and the operator token, and mounts CA certificates only', () => {
    for (const d of deployments) {
      const w = workload(d.metadata!.name!);
      const c = w.pod.containers[0]!;
      for (const name of [
        'CATGA_NATS_USER',
        'CATGA_NATS_TLS_CA',
        'CATGA_REDIS_USERNAME',
        'CATGA_REDIS_SENTINEL_USERNAME',
        'CATGA_REDIS_TLS_CA',
      ])
        assert.ok(plainValue(c, name), `${w.name}: ${name}`);
      for (const name of ['CATGA_NATS_PASSWORD', 'CATGA_REDIS_PASSWORD', 'CATGA_REDIS_SENTINEL_PASSWORD'])
        assert.ok(secretRef(c, name), `${w.name}: ${name} from a Secret`);
      assert.deepEqual(secretRef(c, 'CATGA_OPERATOR_TOKEN'), { name: 'catga-operator', key: 'token' }, `${w.name}: the operator token`);
      const secretFiles = (w.pod.volumes ?? []).flatMap((v) => [
        ...(v.secret ? [v.secret.items ?? [{ key: '*' }]] : []),
        ...(v.projected?.sources ?? []).flatMap((s) => (s.secret ? [s.secret.items ?? [{ key: '*' }]] : [])),
      ]);
      assert.ok(secretFiles.length > 0);
      for (const item of secretFiles.flat()) assert.equal(item.key, 'ca.crt', `${w.name}: mounts ${item.key}`);
    }
  });
});

describe('Kubernetes deployment locked down: NetworkPolicies', () => {
  it('ingress is denied by default in the namespace', () => {
    const denyAll = policies.filter(
      (p) =>
        Object.keys(p.spec?.podSelector?.matchLabels ?? {}).length === 0 &&
        !p.spec?.podSelector?.matchExpressions?.length &&
        p.spec?.policyTypes?.includes('Ingress') &&
        !p.spec.ingress?.length,
    );
    assert.equal(denyAll.length, 1);
  });

  it('every port a Service exposes is allowed from the peers named for it, and only the API from anyone', () => {
    const prometheusOnly = { anyone: false, workloads: [], prometheus: true, others: 0 };
    const expected: Record<string, Allowed> = {
      'nats:client': { anyone: false, workloads: appNames, prometheus: false, others: 0 },
      'nats:cluster': { anyone: false, workloads: ['nats'], prometheus: false, others: 0 },
      'nats:monitor': prometheusOnly,
      'redis:redis': { anyone: false, workloads: [...appNames, 'redis'].sort(), prometheus: false, others: 0 },
      'redis:sentinel': { anyone: false, workloads: [...appNames, 'redis'].sort(), prometheus: false, others: 0 },
      ...Object.fromEntries(appNames.map((app) => [`${app}:http`, prometheusOnly])),
      'order-api:http': { anyone: true, workloads: [], prometheus: true, others: 0 },
    };
    const seen = new Set<string>();
    for (const { service, workload: w, port } of servicePorts) {
      const key = `${w.name}:${port.name}`;
      seen.add(key);
      assert.ok(key in expected, `Service ${service} exposes ${key}, which this test names no peers for`);
      assert.deepEqual(allowedTo(w, port), expected[key], `Service ${service}: who reaches ${key}`);
    }
    assert.deepEqual([...seen].sort(), Object.keys(expected).sort(), 'every port named here is exposed by a Service');
    for (const policy of policies)
      for (const rule of policy.spec?.ingress ?? [])
        for (const peer of rule.from ?? [])
          if (isPrometheus(peer))
            assert.deepEqual(
              Object.keys(peer.namespaceSelector!.matchLabels ?? {}),
              ['kubernetes.io/metadata.name'],
              'Prometheus by namespace name',
            );
  });
});

// --- Running init.sh ----------------------------------------------------------------------------

const scratch = mkdtempSync(join(tmpdir(), 'catga-k8s-init-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const fakePasswords = Object.fromEntries(
  (redisInit.env ?? [])
    .filter((e) => e.name.startsWith('REDIS_PASSWORD_'))
    .map((e) => [e.name, `P${createHash('sha1').update(e.name).digest('hex')}`]),
);

/** Runs init.sh as the init container would for a pod, with its paths under a temp dir. */
function runInitRaw(pod: string, override: Record<string, string | undefined> = {}) {
  const dir = mkdtempSync(join(scratch, `${pod}-`));
  const templates = join(dir, 'template');
  mkdirSync(templates);
  for (const [key, text] of Object.entries(redisTemplates)) writeFileSync(join(templates, key), text);
  const script = (redisTemplates['init.sh'] ?? '')
    .replaceAll(templateDir, templates)
    .replaceAll('/etc/redis-tls', join(dir, 'tls'))
    .replaceAll('/data', join(dir, 'data'));
  writeFileSync(join(dir, 'init.sh'), script);
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', POD_NAME: pod, POD_NAMESPACE: namespace };
  for (const e of redisInit.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  Object.assign(env, fakePasswords);
  for (const [k, v] of Object.entries(override)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const result = spawnSync('sh', [join(dir, 'init.sh')], { env, encoding: 'utf8', timeout: 30_000 });
  return { ...result, dir: join(dir, 'data', 'conf') };
}
function runInit(pod: string) {
  const result = runInitRaw(pod);
  assert.equal(result.status, 0, result.stderr);
  const file = (name: string) => readFileSync(join(result.dir, name), 'utf8');
  return {
    usersAcl: file('users.acl'),
    redisConf: file('redis.conf'),
    sentinelConf: file('sentinel.conf'),
    env: fakePasswords,
    modes: ['users.acl', 'redis.conf', 'sentinel.conf'].map((name) => statSync(join(result.dir, name)).mode & 0o777),
  };
}
