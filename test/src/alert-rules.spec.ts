import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';

// The Prometheus alerting rules shipped in deploy/prometheus: valid for promtool, each firing on
// the series that should raise it and quiet on a healthy system (alerts.test.yml), loaded by the
// compose Prometheus exactly as compose mounts it, and carried unchanged to Kubernetes.

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const run = promisify(execFile);

async function promtool(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd, timeout: 60_000 });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: unknown };
    if (e.code === 'ENOENT') throw new Error('promtool is missing: bash scripts/ensure-servers.sh installs it (Debian package prometheus)');
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

interface RuleGroups {
  groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; labels?: Record<string, string> }> }>;
}

const rules = parse(read('deploy/prometheus/alerts.yml')) as RuleGroups;
const alerts = rules.groups.flatMap((g) => g.rules);

describe('Prometheus alert rules (deploy/prometheus/alerts.yml)', () => {
  it('promtool finds every rule valid', async () => {
    const out = await promtool(['check', 'rules', 'alerts.yml'], join(root, 'deploy/prometheus'));
    assert.match(out, new RegExp(`SUCCESS: ${alerts.length} rules found`));
  });

  it('each alert fires on the fault it names and none on a healthy system (promtool test rules alerts.test.yml)', async () => {
    const out = await promtool(['test', 'rules', 'alerts.test.yml'], join(root, 'deploy/prometheus'));
    assert.match(out, /SUCCESS/);
    const tested = read('deploy/prometheus/alerts.test.yml');
    for (const { alert } of alerts) assert.ok(tested.includes(`alertname: ${alert}`), `${alert} has a unit test`);
  });

  it('covers dead letters, failed sagas, a lost instance, latency over an objective and a lost transport, each with a severity', () => {
    const byMetric: Record<string, RegExp> = {
      'dead letters growing': /catga_dead_lettered_total/,
      'sagas failing': /catga_sagas_failed_total/,
      'an instance lost': /\bup\{job="catga"\}/,
      'p99 over an objective': /histogram_quantile\(0\.99,.*catga_request_duration_seconds_bucket/,
      'transport disconnected': /catga_transport_connected == 0/,
    };
    for (const [what, pattern] of Object.entries(byMetric)) {
      assert.ok(
        alerts.some((a) => pattern.test(a.expr.replace(/\s+/g, ' '))),
        `an alert for ${what}`,
      );
    }
    for (const a of alerts) assert.ok(['warning', 'critical'].includes(a.labels?.severity ?? ''), `${a.alert} has a severity`);
  });

  it('the compose Prometheus loads them: its config checks with the files mounted where compose mounts them', async () => {
    const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, { volumes?: string[] }> };
    const mounts = new Map<string, string>();
    for (const volume of compose.services.prometheus?.volumes ?? []) {
      const [from, to] = volume.split(':');
      // Secrets (the operator token) are made by deploy/secrets.sh and not in the repository.
      if (from?.startsWith('./') && !from.startsWith('./deploy/secrets/')) mounts.set(to!, from.slice(2));
    }
    assert.equal(mounts.get('/etc/prometheus/alerts.yml'), 'deploy/prometheus/alerts.yml', 'compose mounts the rules');
    const config = read(mounts.get('/etc/prometheus/prometheus.yml')!);
    assert.ok((parse(config) as { rule_files?: string[] }).rule_files?.includes('/etc/prometheus/alerts.yml'), 'prometheus.yml loads them');
    const dir = mkdtempSync(join(tmpdir(), 'catga-prom-'));
    try {
      // The operator token is a secret deploy/secrets.sh makes; any file stands in for it here.
      writeFileSync(join(dir, 'operator-token'), 'token\n');
      let local = config;
      for (const [inContainer, inRepo] of mounts) local = local.split(inContainer).join(join(root, inRepo));
      local = local.split('/etc/prometheus/operator-token').join(join(dir, 'operator-token'));
      writeFileSync(join(dir, 'prometheus.yml'), local);
      const out = await promtool(['check', 'config', 'prometheus.yml'], dir);
      assert.match(out, new RegExp(`SUCCESS: ${alerts.length} rules found`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('k8s/monitoring/prometheus-rules.yaml carries the same rules and is listed by the kustomization (npm run prometheus-rules)', () => {
    const configMap = parse(read('k8s/monitoring/prometheus-rules.yaml')) as { kind: string; data: Record<string, string> };
    assert.equal(configMap.kind, 'ConfigMap');
    assert.equal(configMap.data['catga-alerts.yml'], read('deploy/prometheus/alerts.yml'), 'k8s/monitoring/prometheus-rules.yaml is stale');
    assert.ok((parse(read('k8s/kustomization.yaml')) as { resources: string[] }).resources.includes('monitoring/prometheus-rules.yaml'));
  });
});
