/**
 * An instance's address: `<service>:<instance>@<epoch>`, the epoch being the process's start (base
 * 36 ms), so an instance id reused by a restart (a pod's hostname and pid 1) never answers for the
 * claims and leases its previous process held. Claims and leases record it as their owner
 * (idempotency adds `#<n>` per handling).
 */
export interface OwnerAddress {
  readonly service: string;
  readonly instance: string;
  readonly epoch: string;
}

const ADDRESS = /^([^:#@]+):([^#]+)@([0-9a-z]+)(?:#\d+)?$/;

/** The address of this process's instance of `service` (in the service name, `:`, `#` and `@` become `_`). */
export function ownerAddress(service: string, instance: string, epoch: string): string {
  return `${service.replace(/[:#@]/g, '_') || '_'}:${instance}@${epoch}`;
}

/** This process's epoch: its start time, in base 36 ms. */
export const PROCESS_EPOCH = Date.now().toString(36);

/**
 * The address an owner string holds (a claim's `<address>#<n>` or a lease's `<address>`), or
 * `undefined` for an owner written without one (an older version, a user's own store): such an
 * owner is never presumed dead, only its expiry frees what it holds.
 */
export function parseOwnerAddress(owner: string): (OwnerAddress & { readonly address: string }) | undefined {
  const m = ADDRESS.exec(owner);
  if (!m) return undefined;
  return { service: m[1]!, instance: m[2]!, epoch: m[3]!, address: `${m[1]}:${m[2]}@${m[3]}` };
}
