import { natsAccountsConfig } from '@catga/nats';
import { ORDER_SYSTEM_BUS_ACCESS } from './order-system.bus-access.js';

const HEADER = [
  '# Generated from ORDER_SYSTEM_BUS_ACCESS (libs/order-contracts/src/topology) by `npm run nats-accounts`;',
  '# edit that file, not this one. One user per service, allowed exactly the subjects it serves, sends,',
  '# publishes and consumes; each password comes from the server environment (NATS_PASSWORD_<SERVICE>).',
];

/** The NATS accounts of the order system, as the files the deployments include: path → content. */
export function orderSystemNatsAccountFiles(): Record<string, string> {
  const accounts = natsAccountsConfig(ORDER_SYSTEM_BUS_ACCESS);
  const indented = [...HEADER, ...accounts.trimEnd().split('\n')].map((line) => (line ? `    ${line}` : '')).join('\n');
  return {
    'deploy/nats/accounts.conf': `${[...HEADER, accounts].join('\n')}`,
    'k8s/nats/nats-accounts.yaml': [
      ...HEADER,
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: nats-accounts',
      '  labels:',
      '    app.kubernetes.io/name: nats',
      'data:',
      '  accounts.conf: |',
      indented,
      '',
    ].join('\n'),
  };
}
