/** Header names Catga writes on every message (see docs/PROTOCOL.md). */
export const WireHeader = {
  messageId: 'Catga-Message-Id',
  type: 'Catga-Type',
  kind: 'Catga-Kind',
  correlationId: 'Catga-Correlation-Id',
  causationId: 'Catga-Causation-Id',
  timestamp: 'Catga-Timestamp',
  contentType: 'Content-Type',
  /** Where the body holds values plain JSON would change (a Date, a BigInt, a Map…) and what they were: `[[path, tag], …]`. */
  bodyMarks: 'Catga-Body-Marks',
  /** On a request: how often (ms) the caller wants to hear that it is still being handled. */
  progressMs: 'Catga-Progress-Ms',
  /** On a message to a reply subject: still being handled, the reply comes later (no body). */
  progress: 'Catga-Progress',
  /** On a request retried after a silent replica: say at once that it arrived (a first `Catga-Progress`). */
  progressAck: 'Catga-Progress-Ack',
  /** On dead letters: the handler group that gave up, the deliveries made and the last error. */
  deadGroup: 'Catga-Dead-Group',
  deadDeliveries: 'Catga-Dead-Deliveries',
  deadError: 'Catga-Dead-Error',
  deadAt: 'Catga-Dead-At',
} as const;

export const JSON_CONTENT_TYPE = 'application/json';

const RESERVED = new Set(Object.values(WireHeader).map((h) => h.toLowerCase()));

/** Whether a header name belongs to Catga or the transport rather than to the user. */
export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED.has(lower) || lower.startsWith('nats-') || lower.startsWith('catga-');
}
