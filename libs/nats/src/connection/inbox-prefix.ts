/**
 * The reply-subject prefix of a service's connections, `_INBOX_<service>`: replies to its
 * requests and JetStream API answers arrive under it, so NATS permissions can let each service
 * read its own replies and nobody else's (a shared `_INBOX.>` would let every user read all).
 */
export function serviceInboxPrefix(serviceName: string): string {
  return `_INBOX_${serviceName.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
