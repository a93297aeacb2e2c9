/** Stream and consumer names of the Redis Streams transport (docs/redis.md); the braces are each key's Cluster hash tag. */
export class RedisStreamsKeys {
  constructor(private readonly prefix: string) {}

  request(type: string): string {
    return `${this.prefix}:rs:req:{${type}}`;
  }

  event(type: string): string {
    return `${this.prefix}:rs:evt:{${type}}`;
  }

  deadLetters(): string {
    return `${this.prefix}:rs:dlq`;
  }

  /** A caller's own reply stream: random per transport, so two with one instance id never share one. */
  reply(instanceId: string): string {
    return `${this.prefix}:rs:reply:{${instanceId}-${randomSuffix()}}`;
  }

  /** The pub/sub channel only the instance at `address` (`<service>:<instance>@<epoch>`) subscribes to, answering liveness probes. */
  liveness(address: string): string {
    return `${this.prefix}:rs:live:{${address}}`;
  }

  /** Where a checker's liveness answers come back: random per transport, like its reply stream. */
  livenessReply(instanceId: string): string {
    return `${this.livenessReplyPrefix()}${instanceId}-${randomSuffix()}}`;
  }

  /** What every liveness answer channel of this prefix starts with: an answer goes nowhere else. */
  livenessReplyPrefix(): string {
    return `${this.prefix}:rs:live-reply:{`;
  }

  /** A reader's consumer name in its group: random per reader, so a restarted one never inherits a dead one's entries by name. */
  consumer(instanceId: string): string {
    return `${instanceId}-${randomSuffix()}`;
  }
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 8);
}
