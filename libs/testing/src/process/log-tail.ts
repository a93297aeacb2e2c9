import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const MAX_BYTES = 64 * 1024;

/** Last `lines` lines of a log file, or a note saying why there are none. */
export function readLogTail(file: string, lines = 40): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    return `(log ${file} unreadable: ${error instanceof Error ? error.message : String(error)})`;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, MAX_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString('utf8').replace(/\n+$/, '');
    return text.split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}
