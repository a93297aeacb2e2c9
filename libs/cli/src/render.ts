import Table from 'cli-table3';

/** Where a command writes: stdout for its answer, stderr for progress and errors. */
export interface Output {
  readonly json: boolean;
  write(text: string): void;
  error(text: string): void;
}

export function consoleOutput(json: boolean): Output {
  return {
    json,
    write: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    error: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}

/** A human table, or nothing but the header when empty. */
export function table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const t = new Table({ head: [...head], style: { head: [], border: [] }, wordWrap: true });
  for (const row of rows) t.push(row.map((cell) => String(cell)));
  return t.toString();
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** `2026-12-01 21:30:05` in local time: when something happened, at a glance. */
export function when(epochMs: number | undefined): string {
  if (epochMs === undefined || !Number.isFinite(epochMs)) return '';
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Cuts a long text for a table cell. */
export function short(text: string | undefined, max = 60): string {
  if (!text) return '';
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
