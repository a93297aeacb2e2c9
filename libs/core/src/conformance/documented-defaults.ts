import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

export interface DocumentedOption {
  /** The environment variable that sets the option, or '' when none does. */
  readonly env: string;
  /** The default as the table shows it, backticks removed. */
  readonly value: string;
}

/** Settings as dotted paths to their leaf values (an empty object is a leaf). */
export function flattenSettings(value: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, v] of Object.entries(value)) {
    const path = prefix + key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) {
      for (const [p, leaf] of flattenSettings(v as object, `${path}.`)) out.set(p, leaf);
    } else out.set(path, v);
  }
  return out;
}

/** The rows `| \`option\` | environment | default | … |` of the table under `heading` in a Markdown file. */
export function documentedOptions(markdown: URL, heading: string): Map<string, DocumentedOption> {
  const doc = readFileSync(markdown, 'utf8');
  const start = doc.indexOf(`${heading}\n`);
  assert.ok(start >= 0, `${markdown.pathname} has no "${heading}" section`);
  const end = doc.indexOf('\n## ', start + heading.length);
  const rows = new Map<string, DocumentedOption>();
  for (const line of doc.slice(start, end < 0 ? undefined : end).split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const option = /^`([\w.]+)`$/.exec(cells[1] ?? '')?.[1];
    if (option) rows.set(option, { env: (cells[2] ?? '').replaceAll('`', ''), value: (cells[3] ?? '').replaceAll('`', '') });
  }
  return rows;
}

/**
 * Fails unless the table lists exactly the options in `defaults`, each with the default shown as
 * the code has it (`String` of a scalar, JSON of an object). `substitutions` turn placeholders in
 * the table (`<hostname>`) into the values the code computed.
 */
export function assertDocumentedDefaults(
  markdown: URL,
  heading: string,
  defaults: object,
  substitutions: Record<string, string> = {},
): void {
  const resolved = flattenSettings(defaults);
  const documented = documentedOptions(markdown, heading);
  assert.deepEqual([...documented.keys()].sort(), [...resolved.keys()].sort(), `the options in "${heading}" differ from the code's`);
  for (const [path, { value }] of documented) {
    const actual = resolved.get(path);
    const shown = typeof actual === 'object' ? JSON.stringify(actual) : String(actual);
    const expected = Object.entries(substitutions).reduce((text, [from, to]) => text.replaceAll(from, to), value);
    assert.equal(shown, expected, `default of ${path}`);
  }
}
