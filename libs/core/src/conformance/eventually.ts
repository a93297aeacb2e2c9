// One poll helper for the repo: @catga/testing's, re-exported so conformance suites and specs keep this import.
export { eventually } from '@catga/testing';

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
