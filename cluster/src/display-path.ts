import { relative } from 'node:path';

/** A path relative to the working directory when it lies inside it, else absolute. */
export function displayPath(file: string): string {
  const short = relative(process.cwd(), file);
  return short === '' || short.startsWith('..') ? file : short;
}
