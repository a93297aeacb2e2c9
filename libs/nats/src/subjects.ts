/**
 * Names on the wire (docs/PROTOCOL.md):
 *   requests     <prefix>.req.<type>          queue group <service>
 *   events       <prefix>.evt.<type>          stream <PREFIX>_EVENTS, or the name given
 *   dead letters <prefix>.dlq.<type>          stream <PREFIX>_DLQ
 *   presence     <prefix>.presence             core NATS, every instance
 *   liveness     <prefix>.live.<service>.<id>  core NATS, one instance (id: base64url of instance@epoch)
 *   consumers    <group>__<type>, with every character outside [A-Za-z0-9_-] turned into `_`
 */
export class Subjects {
  private readonly eventStreamName: string;

  /** `eventStream`: the event stream's name when not the one derived from the prefix. */
  constructor(
    readonly prefix: string,
    eventStream?: string,
  ) {
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix)) {
      throw new Error(`Invalid subject prefix "${prefix}": use tokens of letters, digits, "-" and "_" separated by "."`);
    }
    this.eventStreamName = eventStream ?? `${streamToken(prefix)}_EVENTS`;
  }

  request(type: string): string {
    return `${this.prefix}.req.${type}`;
  }

  event(type: string): string {
    return `${this.prefix}.evt.${type}`;
  }

  allEvents(): string {
    return `${this.prefix}.evt.>`;
  }

  deadLetter(type: string): string {
    return `${this.prefix}.dlq.${type}`;
  }

  allDeadLetters(): string {
    return `${this.prefix}.dlq.>`;
  }

  presence(): string {
    return `${this.prefix}.presence`;
  }

  /** One instance's liveness subject; `service` made a token, the instance part base64url (any id, no dots). */
  liveness(service: string, instance: string): string {
    return `${this.livenessOf(service)}.${Buffer.from(instance).toString('base64url')}`;
  }

  /** Every liveness subject of `service`'s instances. */
  livenessOf(service: string): string {
    return `${this.prefix}.live.${service.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  }

  eventStream(): string {
    return this.eventStreamName;
  }

  deadLetterStream(): string {
    return `${streamToken(this.prefix)}_DLQ`;
  }

  consumer(group: string, type: string): string {
    return `${group}__${type}`.replace(/[^A-Za-z0-9_-]/g, '_');
  }
}

function streamToken(prefix: string): string {
  return prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, '_');
}
