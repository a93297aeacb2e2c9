import { MessageType } from '@catga/core';
import type { AddedBody } from './added-body.js';

/** The event of the Catga publish scenario. Only Catga workers import this file. */
@MessageType('bench.added')
export class Added implements AddedBody {
  constructor(
    readonly i: number,
    readonly sentAt: number,
    readonly timed: boolean,
  ) {}
}
