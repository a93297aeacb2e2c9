// A process of its own that answers liveness probes for one address on the Redis Streams
// transport, for the specs that SIGKILL or SIGSTOP it: node <this> <redis url> <key prefix> <address>.
import { Redis } from 'ioredis';
import { RedisStreamsTransport } from './redis-streams.transport.js';

const [url, keyPrefix, address] = process.argv.slice(2);
if (!url || !keyPrefix || !address) throw new Error('usage: <redis url> <key prefix> <address>');
const transport = new RedisStreamsTransport({ client: new Redis(url), closeClient: true, keyPrefix, instanceId: 'answerer' });
await transport.liveness.answer(address);
console.log(`answering for ${address}`);
