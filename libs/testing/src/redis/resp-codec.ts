/** A RESP2 reply: simple/bulk string, integer, nil, error, or array of replies. */
export type RespReply = string | number | null | RespError | readonly RespReply[];

/** An error reply from Redis (`-ERR ...`, `-LOADING ...`); `code` is its first word. */
export class RespError extends Error {
  override readonly name = 'RespError';
  readonly code: string;

  constructor(message: string) {
    super(message);
    this.code = message.split(' ', 1)[0] ?? '';
  }
}

export interface ParsedReply {
  readonly value: RespReply;
  /** Offset just past the reply. */
  readonly end: number;
}

const CRLF = '\r\n';

/** Encodes a command the way redis-cli sends it: an array of bulk strings. */
export function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}${CRLF}`)];
  for (const arg of args) {
    const data = Buffer.from(String(arg), 'utf8');
    parts.push(Buffer.from(`$${data.length}${CRLF}`), data, Buffer.from(CRLF));
  }
  return Buffer.concat(parts);
}

/** Parses one reply starting at `offset`; undefined if the buffer does not yet hold all of it. */
export function parseReply(buffer: Buffer, offset = 0): ParsedReply | undefined {
  const lineEnd = buffer.indexOf(CRLF, offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset] as number);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new RespError(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RespReply[] = [];
      let position = next;
      for (let i = 0; i < count; i += 1) {
        const item = parseReply(buffer, position);
        if (item === undefined) return undefined;
        items.push(item.value);
        position = item.end;
      }
      return { value: items, end: position };
    }
    default:
      throw new Error(`unsupported RESP type byte ${JSON.stringify(type)} in ${JSON.stringify(line)}`);
  }
}
