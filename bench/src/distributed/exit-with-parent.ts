/**
 * A worker's stdin is a pipe from the runner; it closes when the runner dies, however it dies.
 * The worker then exits too, so a killed or crashed run leaves no server behind.
 */
export function exitWithParent(): void {
  process.stdin.once('end', () => process.exit(1));
  process.stdin.resume();
}
