import { v7 } from 'uuid';

/** A new message id: UUIDv7, unique across processes and ordered by creation time. */
export function newMessageId(): string {
  return v7();
}
