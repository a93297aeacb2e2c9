import type { RespReply } from './redis-command.js';

/** `INFO` text (`key:value` lines, `# Section` headers) as a flat record. */
export function parseRedisInfo(reply: RespReply): Record<string, string> {
  if (typeof reply !== 'string') throw new Error(`INFO returned ${JSON.stringify(reply)}, expected text`);
  const fields: Record<string, string> = {};
  for (const line of reply.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

/** A flat `[key, value, key, value, ...]` reply (SENTINEL MASTER, CONFIG GET) as a record. */
export function pairsToRecord(reply: RespReply): Record<string, string> {
  if (!Array.isArray(reply)) throw new Error(`expected a flat key/value array, got ${JSON.stringify(reply)}`);
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = String(reply[i + 1]);
  return fields;
}
