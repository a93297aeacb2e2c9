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

  /** A reader's consumer name in its group: random per reader, so a restarted one never inherits a dead one's entries by name. */
  consumer(instanceId: string): string {
    return `${instanceId}-${randomSuffix()}`;
  }
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 8);
}
