/**
 * Names on the wire (docs/PROTOCOL.md):
 *   requests     <prefix>.req.<type>          queue group <service>
 *   events       <prefix>.evt.<type>          stream <PREFIX>_EVENTS
 *   dead letters <prefix>.dlq.<type>          stream <PREFIX>_DLQ
 *   presence     <prefix>.presence             core NATS, every instance
 *   consumers    <group>__<type>, with every character outside [A-Za-z0-9_-] turned into `_`
 */
export class Subjects {
  constructor(readonly prefix: string) {
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix)) {
      throw new Error(`Invalid subject prefix "${prefix}": use tokens of letters, digits, "-" and "_" separated by "."`);
    }
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

  eventStream(): string {
    return `${streamToken(this.prefix)}_EVENTS`;
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
