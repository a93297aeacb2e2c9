/** TLS and ACL for a test's Redis servers, so a test can run a locked-down Redis of every kind. */
export interface RedisSecurity {
  /**
   * TLS only: the node's port is its `tls-port` (`port 0`), and replication, Sentinel's links and
   * the cluster bus use TLS too. Clients need no certificate of their own.
   */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  /** ACL lines for the data nodes (`user catga on >pw ~catga:* …`), `user default off` included if wanted. */
  readonly users?: readonly string[];
  /**
   * The user the harness authenticates as (probes, replication, the sentinels' links to the data
   * nodes); created with every permission on every data node.
   */
  readonly admin?: { readonly username: string; readonly password: string };
  /** Sentinels' own password (`requirepass`): what clients give as the sentinel password. */
  readonly sentinelPassword?: string;
}

/** Config lines a node of `role` gets for `security`. */
export function securityConfig(security: RedisSecurity | undefined, role: 'data' | 'cluster' | 'sentinel'): string[] {
  if (!security) return [];
  const lines: string[] = [];
  const { tls, admin } = security;
  if (tls) {
    lines.push(
      'port 0',
      `tls-cert-file ${quote(tls.certFile)}`,
      `tls-key-file ${quote(tls.keyFile)}`,
      `tls-ca-cert-file ${quote(tls.caFile)}`,
      'tls-auth-clients no',
      'tls-replication yes',
    );
    if (role === 'cluster') lines.push('tls-cluster yes');
  }
  if (role === 'sentinel') {
    if (security.sentinelPassword) lines.push(`requirepass ${quote(security.sentinelPassword)}`);
    return lines;
  }
  if (admin) {
    lines.push(
      `user ${admin.username} on >${admin.password} ~* &* +@all`,
      `masteruser ${admin.username}`,
      `masterauth ${quote(admin.password)}`,
    );
  }
  lines.push(...(security.users ?? []));
  return lines;
}

/** What the harness authenticates and encrypts with when it talks to a node of `role`. */
export function probeCredentials(
  security: RedisSecurity | undefined,
  role: 'data' | 'cluster' | 'sentinel',
): { caFile?: string; username?: string; password?: string } {
  if (!security) return {};
  const out: { caFile?: string; username?: string; password?: string } = {};
  if (security.tls) out.caFile = security.tls.caFile;
  if (role === 'sentinel') {
    if (security.sentinelPassword) out.password = security.sentinelPassword;
  } else if (security.admin) {
    out.username = security.admin.username;
    out.password = security.admin.password;
  }
  return out;
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
