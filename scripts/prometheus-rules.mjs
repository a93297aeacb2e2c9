// Writes k8s/monitoring/prometheus-rules.yaml, a ConfigMap carrying deploy/prometheus/alerts.yml
// for the cluster's Prometheus. Run through `npm run prometheus-rules`; a test fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const rules = readFileSync(`${root}deploy/prometheus/alerts.yml`, 'utf8');
const indented = rules
  .split('\n')
  .map((line) => (line ? `    ${line}` : line))
  .join('\n');
const manifest = `# Written by npm run prometheus-rules from deploy/prometheus/alerts.yml: edit that file, not this one.
# Mount it into the Prometheus that scrapes the pods (a rule_files entry for catga-alerts.yml), or,
# with the Prometheus Operator, give its groups to a PrometheusRule. docs/operations.md says what each alert means.
apiVersion: v1
kind: ConfigMap
metadata:
  name: catga-prometheus-rules
  labels:
    app.kubernetes.io/name: catga-prometheus-rules
    app.kubernetes.io/component: monitoring
data:
  catga-alerts.yml: |
${indented}`;
writeFileSync(`${root}k8s/monitoring/prometheus-rules.yaml`, manifest);
console.log('wrote k8s/monitoring/prometheus-rules.yaml');
