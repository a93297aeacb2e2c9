// The CPU one request's NATS header block costs, Catga's reading and writing of it against
// nats.js's own, in one run: `npm run build && node bench/dist/nats-headers.js`. CPU time
// (process.cpuUsage) rather than wall time, so a busy machine moves the ratio less.
import { fromNatsHeaders, toNatsHeaders } from '@catga/nats';
import { MsgHdrsImpl } from '@nats-io/nats-core/internal';
import { headers, type Msg } from '@nats-io/transport-node';
import { machineInfo } from './machine.js';

/** The headers of a default-pipeline request with a trace: what the request-reply rows carry. */
const RECORD: Record<string, string> = {
  'Catga-Message-Id': '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  'Catga-Correlation-Id': '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  'Catga-Type': 'bench.add',
  'Catga-Kind': 'query',
  'Catga-Timestamp': '1796161998737',
  'Content-Type': 'application/json',
  'Catga-Progress-Ms': '1000',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
};
const ROUNDS = 5;
const OPS = 200_000;

function natsEncoded(): Uint8Array {
  const h = headers();
  for (const name in RECORD) h.append(name, RECORD[name]!);
  return (h as unknown as { encode(): Uint8Array }).encode();
}

const block = natsEncoded();
const body = new TextEncoder().encode('{"a":1,"b":2}');
const data = new Uint8Array(block.length + body.length);
data.set(block);
data.set(body, block.length);
/** A received message as nats.js holds it: the bytes, and where the header block ends. */
const received = () => ({ _rdata: data, _msg: { hdr: block.length } }) as unknown as Msg;
/** The same, its headers parsed by nats.js, as reading `msg.headers` does. */
const parsedByNats = () => ({ headers: MsgHdrsImpl.decode(block) });

function cpuNsPerOp(op: () => number): number {
  const start = process.cpuUsage();
  let sink = 0;
  for (let i = 0; i < OPS; i++) sink += op();
  const used = process.cpuUsage(start);
  if (sink < 0) throw new Error('unreachable');
  return ((used.user + used.system) * 1000) / OPS;
}

const m = machineInfo();
console.log(
  `NATS header block, CPU per request: ${m.cpuModel} x${m.cpuCount}, node ${m.nodeVersion}; median of ${ROUNDS} rounds of ${OPS}`,
);
const rows: Record<string, number[]> = { readNats: [], readCatga: [], writeNats: [], writeCatga: [] };
for (let round = 0; round < ROUNDS; round++) {
  rows.readNats!.push(cpuNsPerOp(() => fromNatsHeaders(parsedByNats()).size));
  rows.readCatga!.push(cpuNsPerOp(() => fromNatsHeaders(received()).size));
  rows.writeNats!.push(cpuNsPerOp(() => natsEncoded().length));
  rows.writeCatga!.push(cpuNsPerOp(() => (toNatsHeaders(RECORD) as unknown as { encode(): Uint8Array }).encode().length));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const [rn, rc, wn, wc] = [rows.readNats!, rows.readCatga!, rows.writeNats!, rows.writeCatga!].map(median) as [
  number,
  number,
  number,
  number,
];
console.log(`read  (server): nats.js ${rn.toFixed(0)} ns, Catga from the raw block ${rc.toFixed(0)} ns: ${(rn / rc).toFixed(2)}x less CPU`);
console.log(`write (client): nats.js ${wn.toFixed(0)} ns, Catga rendered once ${wc.toFixed(0)} ns: ${(wn / wc).toFixed(2)}x less CPU`);
