// A process of its own whose reader takes events of one type and handles each for <handle ms>
// (never finishing without it), for the specs that SIGKILL or SIGSTOP it:
// node <this> <redis url> <key prefix> <type> [handle ms]. A finished handling sets <key prefix>:held:<id>.
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { RedisStreamsTransport } from './redis-streams.transport.js';

const [url, keyPrefix, type, handleMs] = process.argv.slice(2);
if (!url || !keyPrefix || !type) throw new Error('usage: <redis url> <key prefix> <type> [handle ms]');
const client = new Redis(url);
const transport = new RedisStreamsTransport({ client, keyPrefix, instanceId: 'holder' });
await transport.subscribe(
  type,
  async (envelope) => {
    if (handleMs === undefined) return new Promise<void>(() => undefined);
    await delay(Number(handleMs));
    await client.set(`${keyPrefix}:held:${envelope.id}`, '1');
  },
  { group: 'g' },
);
console.log('reading');
