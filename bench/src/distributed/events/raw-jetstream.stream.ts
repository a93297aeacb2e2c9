/** The raw JetStream scenario's stream: file-backed and keep-by-limits, like Catga's event stream. */
export const RAW_STREAM = 'BENCH_RAW';
export const RAW_SUBJECT = 'bench-raw.added';
export const RAW_CONSUMER = 'bench-raw-subscriber';
