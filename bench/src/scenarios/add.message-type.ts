import { MessageType } from '@catga/core';
import { Add } from './add.command.js';

let stamped = false;

/**
 * Gives Add its wire type. Applied here rather than on the class so the raw @nestjs/cqrs worker
 * and the raw NATS and @nestjs/microservices workers never load Catga.
 */
export function stampAddMessageType(): void {
  if (stamped) return;
  MessageType('bench.add')(Add);
  stamped = true;
}
