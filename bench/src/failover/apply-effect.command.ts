import { MessageType } from '@catga/core';
import { Command } from '@nestjs/cqrs';

/** Adds one to its message id's effect counter, held to land with the outcome, after `workMs` of pretend work. */
@MessageType('bench.failover.apply-effect')
export class ApplyEffect extends Command<{ by: string }> {
  constructor(
    readonly n: number,
    readonly workMs: number,
  ) {
    super();
  }
}

/** The Redis hash of effect counts per message id under a repetition's key prefix. */
export const effectsKey = (prefix: string): string => `${prefix}:effects`;
