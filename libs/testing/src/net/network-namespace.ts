import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { findBinary } from '../process/find-binary.js';

const exec = promisify(execFile);

/** Namespaces are named `catga-net-<pid of the creator>-<n>`, so a later run can tell its own leftovers. */
const NAME_PREFIX = 'catga-net-';
const LEFTOVER = /^catga-net-(\d+)-\d+(-r)?$/;
let created = 0;

/**
 * A network namespace for one or more processes, joined to the host through a router namespace
 * whose forwarding can be cut: a network partition between what runs inside and everything on
 * the host, healed again on demand.
 *
 * Inside, 127.0.0.0/8 is routed to the host's loopback (`route_localnet` on the links on the
 * way), so a process there reaches the servers on 127.0.0.1 with the same URLs as every other,
 * including addresses servers hand out themselves (Sentinel's primary, a NATS cluster's
 * connect_urls), and no server has to listen beyond loopback. What runs inside listens on
 * `address`, which the host reaches through the router.
 */
export interface NetworkNamespace {
  readonly name: string;
  /** The address of the process side, e.g. `10.213.17.6`. */
  readonly address: string;
  /** Command prefix that runs a program inside: `['/usr/sbin/ip', 'netns', 'exec', name]`. */
  readonly launcher: readonly string[];
  readonly isCut: boolean;
  /** Drops every packet between the namespace and the host, both ways, from now on. */
  cut(): Promise<void>;
  /** Forwards again; connections that survived the cut resume with TCP's next retransmission. */
  heal(): Promise<void>;
  /** Deletes both namespaces (and with them the links and routes); kills what still runs inside. Idempotent. */
  remove(): Promise<void>;
}

/** Why this process cannot create network namespaces, or undefined when it can (root, `ip` and `tc`). */
export async function networkNamespacesUnavailable(): Promise<string | undefined> {
  const uid = process.getuid?.();
  if (uid !== 0) return `network namespaces need root (running as uid ${uid ?? 'unknown'})`;
  const ip = findBinary('ip', { optional: true });
  if (ip === undefined) return '`ip` (iproute2) is not installed';
  if (findBinary('tc', { optional: true }) === undefined) return '`tc` (iproute2) is not installed';
  try {
    await exec(ip, ['netns', 'list']);
  } catch (error) {
    return `\`ip netns\` does not work here: ${firstLine(error)}`;
  }
  return undefined;
}

/** Creates a namespace as described at NetworkNamespace, after removing those left by runs that died. Fails with the reason when it cannot. */
export async function createNetworkNamespace(): Promise<NetworkNamespace> {
  const unavailable = await networkNamespacesUnavailable();
  if (unavailable !== undefined) throw new Error(`cannot create a network namespace: ${unavailable}`);
  await removeLeftoverNamespaces();
  for (let attempt = 1; ; attempt += 1) {
    const namespace = new CuttableNamespace(await freeSubnet());
    try {
      await namespace.create();
      return namespace;
    } catch (error) {
      await namespace.remove();
      // Another run took the same subnet in between: its route is there first.
      if (attempt >= 3 || !/File exists/i.test(firstLine(error))) throw error;
    }
  }
}

/** Deletes the namespaces of creators no longer running (a crashed run's), with anything left inside. */
export async function removeLeftoverNamespaces(): Promise<void> {
  for (const name of await namespaceNames()) {
    const creator = Number(LEFTOVER.exec(name)?.[1]);
    if (!Number.isInteger(creator) || isRunning(creator)) continue;
    await deleteNamespace(name);
  }
}

class CuttableNamespace implements NetworkNamespace {
  readonly name: string;
  readonly address: string;
  readonly launcher: readonly string[];
  private readonly router: string;
  private readonly hostLink: string;
  private readonly hostAddress: string;
  private readonly routerHostSide: string;
  private readonly routerInnerSide: string;
  private readonly ip = findBinary('ip');
  private readonly tc = findBinary('tc');
  private cutNow = false;

  constructor(private readonly subnet: string) {
    created += 1;
    this.name = `${NAME_PREFIX}${process.pid}-${created}`;
    this.router = `${this.name}-r`;
    // Interface names are at most 15 characters and only this one lives in the host's namespace.
    this.hostLink = `cgn${process.pid.toString(36)}x${created.toString(36)}`;
    this.hostAddress = `${subnet}.1`;
    this.routerHostSide = `${subnet}.2`;
    this.routerInnerSide = `${subnet}.5`;
    this.address = `${subnet}.6`;
    this.launcher = [this.ip, 'netns', 'exec', this.name];
  }

  get isCut(): boolean {
    return this.cutNow;
  }

  async create(): Promise<void> {
    const { name, router, hostLink, subnet } = this;
    await this.run('netns', 'add', router);
    await this.run('netns', 'add', name);
    await this.run('link', 'add', hostLink, 'type', 'veth', 'peer', 'name', 'host', 'netns', router);
    await this.run('-n', router, 'link', 'add', 'inner', 'type', 'veth', 'peer', 'name', 'uplink', 'netns', name);
    await this.run('addr', 'add', `${this.hostAddress}/30`, 'dev', hostLink);
    await this.run('-n', router, 'addr', 'add', `${this.routerHostSide}/30`, 'dev', 'host');
    await this.run('-n', router, 'addr', 'add', `${this.routerInnerSide}/30`, 'dev', 'inner');
    await this.run('-n', name, 'addr', 'add', `${this.address}/30`, 'dev', 'uplink');
    // No loopback of its own inside: 127.0.0.1 there is the host's, through the router.
    await this.run('-n', name, 'addr', 'flush', 'dev', 'lo');
    writeFileSync(`/proc/sys/net/ipv4/conf/${hostLink}/route_localnet`, '1');
    await this.sysctl(router, 'net/ipv4/ip_forward');
    await this.sysctl(router, 'net/ipv4/conf/host/route_localnet');
    await this.sysctl(router, 'net/ipv4/conf/inner/route_localnet');
    await this.sysctl(name, 'net/ipv4/conf/uplink/route_localnet');
    await this.run('link', 'set', hostLink, 'up');
    await this.run('-n', router, 'link', 'set', 'host', 'up');
    await this.run('-n', router, 'link', 'set', 'inner', 'up');
    await this.run('-n', name, 'link', 'set', 'uplink', 'up');
    await this.run('route', 'add', `${subnet}.4/30`, 'via', this.routerHostSide, 'dev', hostLink);
    await this.run('-n', router, 'route', 'add', '127.0.0.0/8', 'via', this.hostAddress, 'dev', 'host');
    await this.run('-n', name, 'route', 'add', '127.0.0.0/8', 'via', this.routerInnerSide, 'dev', 'uplink');
    // Answers to the host's own connections (to what listens on `address`) go back to its link address.
    await this.run('-n', name, 'route', 'add', `${subnet}.0/30`, 'via', this.routerInnerSide, 'dev', 'uplink');
    // The router drops its own ARP replies while cut; fixed neighbours keep the ends from
    // reporting EHOSTUNREACH to new connections then, which a partition past a router does not do.
    await this.run('neigh', 'replace', this.routerHostSide, 'lladdr', await this.mac(router, 'host'), 'dev', hostLink, 'nud', 'permanent');
    await this.run(
      '-n',
      name,
      'neigh',
      'replace',
      this.routerInnerSide,
      'lladdr',
      await this.mac(router, 'inner'),
      'dev',
      'uplink',
      'nud',
      'permanent',
    );
  }

  // The drop is in the router, not at either end: a drop at an end's own interface is seen by its
  // TCP (a local drop: it probes every 500 ms and aborts the connection within about 8 s), and a
  // link set down there answers new connections with ENETUNREACH or EHOSTUNREACH at once. Dropped
  // in between, both ends see silence only: writes succeed, nothing arrives, connects time out.
  async cut(): Promise<void> {
    for (const link of ['host', 'inner'])
      await this.tcRun('-n', this.router, 'qdisc', 'replace', 'dev', link, 'root', 'pfifo', 'limit', '0');
    this.cutNow = true;
  }

  async heal(): Promise<void> {
    if (!this.cutNow) return;
    for (const link of ['host', 'inner']) await this.tcRun('-n', this.router, 'qdisc', 'del', 'dev', link, 'root');
    this.cutNow = false;
  }

  async remove(): Promise<void> {
    await deleteNamespace(this.name);
    await deleteNamespace(this.router);
    this.cutNow = false;
  }

  private async run(...args: string[]): Promise<void> {
    await command(this.ip, args);
  }

  private async tcRun(...args: string[]): Promise<void> {
    await command(this.tc, args);
  }

  private async sysctl(namespace: string, key: string): Promise<void> {
    await command(this.ip, ['netns', 'exec', namespace, 'sh', '-c', `echo 1 > /proc/sys/${key}`]);
  }

  private async mac(namespace: string, link: string): Promise<string> {
    const { stdout } = await exec(this.ip, ['-j', '-n', namespace, 'link', 'show', 'dev', link]);
    const address = (JSON.parse(stdout) as Array<{ address?: unknown }>)[0]?.address;
    if (typeof address !== 'string') throw new Error(`no MAC address for ${link} in ${namespace}: ${stdout}`);
    return address;
  }
}

async function command(binary: string, args: readonly string[]): Promise<void> {
  try {
    await exec(binary, [...args]);
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(`${binary} ${args.join(' ')}: ${typeof stderr === 'string' && stderr.trim() ? stderr.trim() : firstLine(error)}`);
  }
}

async function namespaceNames(): Promise<string[]> {
  const { stdout } = await exec(findBinary('ip'), ['netns', 'list']);
  // Lines read `name` or `name (id: 3)`.
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(NAME_PREFIX));
}

async function deleteNamespace(name: string): Promise<void> {
  if (!(await namespaceNames()).includes(name)) return;
  const ip = findBinary('ip');
  // A namespace with processes inside outlives its name, links and routes included.
  const { stdout } = await exec(ip, ['netns', 'pids', name]);
  for (const pid of stdout
    .split('\n')
    .map(Number)
    .filter((pid) => pid > 0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  await command(ip, ['netns', 'del', name]);
}

/** A /29 in 10.213.0.0/16 that no address or route on the host uses yet, as its first three octets. */
async function freeSubnet(): Promise<string> {
  const ip = findBinary('ip');
  const [addresses, routes] = await Promise.all([exec(ip, ['-4', '-o', 'addr', 'show']), exec(ip, ['-4', 'route', 'show'])]);
  const used = new Set([...`${addresses.stdout}\n${routes.stdout}`.matchAll(/\b10\.213\.(\d+)\./g)].map((match) => Number(match[1])));
  const free = Array.from({ length: 256 }, (_, i) => i).filter((octet) => !used.has(octet));
  const octet = free[Math.floor(Math.random() * free.length)];
  if (octet === undefined) throw new Error('every 10.213.x.0/29 is in use on this host');
  return `10.213.${octet}`;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
