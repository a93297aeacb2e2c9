import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOnExit } from '../process/exit-cleanup.js';

/** A private directory under the OS temp dir, removed by `remove()` or when the test process exits. */
export class TempDir {
  readonly path: string;
  private readonly unregister: () => void;

  constructor(label: string) {
    this.path = mkdtempSync(join(tmpdir(), `catga-${label}-`));
    this.unregister = runOnExit(() => this.removeNow(), 'files');
  }

  file(name: string): string {
    return join(this.path, name);
  }

  remove(): void {
    this.unregister();
    this.removeNow();
  }

  private removeNow(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
