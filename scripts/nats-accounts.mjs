// Writes the order system's NATS accounts (deploy/nats/accounts.conf, k8s/nats/nats-accounts.yaml)
// from ORDER_SYSTEM_BUS_ACCESS. Run through `npm run nats-accounts`, which builds first.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { orderSystemNatsAccountFiles } from '@catga/order-contracts';

const root = fileURLToPath(new URL('../', import.meta.url));
for (const [path, content] of Object.entries(orderSystemNatsAccountFiles())) {
  writeFileSync(root + path, content);
  console.log(`wrote ${path}`);
}
