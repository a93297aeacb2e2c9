import { Injectable } from '@nestjs/common';
import type { LocalHandler } from './local-handler.js';

/** The handlers this instance hosts, by message type. */
@Injectable()
export class HandlerRegistry {
  private readonly requests = new Map<string, LocalHandler>();
  private readonly events = new Map<string, LocalHandler[]>();

  addRequestHandler(handler: LocalHandler): void {
    const existing = this.requests.get(handler.type);
    if (existing && existing.name !== handler.name) {
      throw new Error(`Message type "${handler.type}" has two handlers in this process: ${existing.name} and ${handler.name}`);
    }
    this.requests.set(handler.type, handler);
  }

  addEventHandler(handler: LocalHandler): void {
    const list = this.events.get(handler.type) ?? [];
    if (!list.some((h) => h.name === handler.name)) list.push(handler);
    this.events.set(handler.type, list);
  }

  requestHandler(type: string): LocalHandler | undefined {
    return this.requests.get(type);
  }

  requestTypes(): IterableIterator<LocalHandler> {
    return this.requests.values();
  }

  eventTypes(): IterableIterator<[string, readonly LocalHandler[]]> {
    return this.events.entries();
  }
}
