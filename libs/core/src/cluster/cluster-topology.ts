import type { MessageKind } from '../messages/message-kind.js';
import type { ClusterMember } from './cluster-member.js';
import { seriesKey } from './traffic-history.js';

/** A service on the map, with how many of its instances are not gone. */
export interface TopologyNode {
  service: string;
  instances: number;
}

/** A message type going from a service that sends or publishes it to one that handles it. */
export interface TopologyEdge {
  from: string;
  to: string;
  type: string;
  kind: MessageKind;
  /** Requests: what `from` sent per second; events: what `to` handled per second; over the last seconds. */
  perSecond: number;
}

/** Who talks to whom, as the instances announced it. */
export interface ClusterTopology {
  services: TopologyNode[];
  edges: TopologyEdge[];
}

/** The most edges drawn; a system with more is not one a map shows. */
export const MAX_TOPOLOGY_EDGES = 2_000;

interface Roles {
  handles: Set<string>;
  emits: Map<string, MessageKind>;
}

/**
 * The map of the system from the members' last announcements: a node per service, an edge per
 * message type from each service that sent or published it to each other service that has a
 * handler of it. A service's own local sends are not drawn.
 */
export function clusterTopology(
  members: readonly ClusterMember[],
  rates: ReadonlyMap<string, { handled: number; sent: number; published: number }>,
): ClusterTopology {
  const nodes = new Map<string, TopologyNode>();
  const roles = new Map<string, Roles>();
  for (const m of members) {
    if (m.status === 'gone') continue;
    const node = nodes.get(m.service) ?? { service: m.service, instances: 0 };
    node.instances++;
    nodes.set(m.service, node);
    let r = roles.get(m.service);
    if (!r) roles.set(m.service, (r = { handles: new Set(), emits: new Map() }));
    for (const h of m.handles ?? []) r.handles.add(h);
    for (const t of m.traffic?.types ?? []) {
      if (t.roles.includes('handles')) r.handles.add(t.type);
      if (t.roles.includes('sends') || t.roles.includes('publishes')) r.emits.set(t.type, t.kind);
    }
  }
  const edges: TopologyEdge[] = [];
  for (const [from, r] of roles) {
    for (const [type, kind] of r.emits) {
      for (const [to, other] of roles) {
        if (to === from || !other.handles.has(type) || edges.length >= MAX_TOPOLOGY_EDGES) continue;
        const perSecond = kind === 'event' ? (rates.get(seriesKey(to, type))?.handled ?? 0) : (rates.get(seriesKey(from, type))?.sent ?? 0);
        edges.push({ from, to, type, kind, perSecond });
      }
    }
  }
  edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.type.localeCompare(b.type));
  return { services: [...nodes.values()].sort((a, b) => a.service.localeCompare(b.service)), edges };
}
