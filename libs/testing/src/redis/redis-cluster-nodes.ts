import type { RespReply } from './redis-command.js';

/** One node of a Redis Cluster as another node sees it (a line of `CLUSTER NODES`). */
export interface RedisClusterNode {
  /** Index into the cluster handle's `servers`: what `node()`, `kill()` and `restart()` take. */
  readonly index: number;
  readonly id: string;
  readonly port: number;
  readonly role: 'master' | 'replica';
  /** For a replica, the index of the master it replicates. */
  readonly masterIndex: number | undefined;
  /** Slot ranges it serves, first and last inclusive; empty for a replica. */
  readonly slots: readonly (readonly [number, number])[];
  /** `pfail`: the node asked cannot reach it; `fail`: the masters agreed it is down. */
  readonly failure: 'none' | 'pfail' | 'fail';
}

/** True when `slot` is in one of `ranges`. */
export function servesSlot(ranges: readonly (readonly [number, number])[], slot: number): boolean {
  return ranges.some(([first, last]) => slot >= first && slot <= last);
}

/**
 * Parses `CLUSTER NODES` (`<id> <ip:port@bus[,hostname]> <flags> <master> <ping> <pong> <epoch>
 * <link> <slot>...`); `indexOfPort` maps a client port to the node's index, and nodes it does not
 * know are left out. Slots being migrated (`[slot->-id]`) are not counted as served.
 */
export function parseClusterNodes(reply: RespReply, indexOfPort: (port: number) => number | undefined): RedisClusterNode[] {
  if (typeof reply !== 'string') throw new Error(`CLUSTER NODES returned ${JSON.stringify(reply)}, expected text`);
  const lines = reply.split(/\r?\n/).filter((line) => line.trim() !== '');
  const parsed = lines.map((line) => {
    const [id = '', address = '', flagField = '', master = '-', , , , , ...slotFields] = line.trim().split(' ');
    const port = Number(address.slice(address.lastIndexOf(':', address.indexOf('@')) + 1, address.indexOf('@')));
    const flags = flagField.split(',');
    const slots = slotFields
      .filter((field) => !field.startsWith('['))
      .map((field): readonly [number, number] => {
        const [first, last = first] = field.split('-');
        return [Number(first), Number(last)];
      });
    return { id, port, flags, master, slots };
  });
  const indexOfId = new Map(parsed.map((node) => [node.id, indexOfPort(node.port)]));
  const out: RedisClusterNode[] = [];
  for (const node of parsed) {
    const index = indexOfPort(node.port);
    if (index === undefined) continue;
    const replica = node.flags.includes('slave');
    out.push({
      index,
      id: node.id,
      port: node.port,
      role: replica ? 'replica' : 'master',
      masterIndex: replica ? indexOfId.get(node.master) : undefined,
      slots: node.slots,
      failure: node.flags.includes('fail') ? 'fail' : node.flags.includes('fail?') ? 'pfail' : 'none',
    });
  }
  return out;
}
