import { transformPatternToRoute } from '@nestjs/microservices/utils/index.js';

/** A route that is a Catga type name as it is: dot-separated tokens of letters, digits, `-`, `_`, not starting with `_`. */
const DIRECT = /^[A-Za-z0-9-][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
/** A key or a string value of a flat object pattern written readably. */
const PLAIN_TOKEN = /^[A-Za-z0-9-]+$/;
const OBJECT_MARK = '_o.';
const ESCAPED_MARK = '_p.';

/**
 * The Catga message type a Nest pattern travels under. Stable and one-to-one on Nest's own routes
 * (`transformPatternToRoute`: an object's keys sorted), so two patterns share a type exactly when
 * Nest would give them one handler:
 * - a string (or number) pattern made of type-name tokens is its own type: `math.sum` → `math.sum`;
 * - a flat object with string values, keys and values of letters, digits and `-`, is `_o.` and its
 *   sorted pairs: `{ cmd: 'sum', role: 'math' }` → `_o.cmd.sum.role.math`;
 * - any other route is `_p.` and the route with each byte outside `[A-Za-z0-9-]` written `_XX`
 *   (hex): `math/sum` → `_p.math_2Fsum`.
 * Direct types never start with `_`, so the three forms cannot meet.
 */
export function patternType(pattern: unknown): string {
  return routeType(transformPatternToRoute(pattern as string) as unknown);
}

/** The type of a route Nest already normalized (the keys of a server's handlers). */
export function routeType(route: unknown): string {
  const text = String(route);
  const pattern = parseRoute(text);
  if (typeof pattern !== 'object' && DIRECT.test(text)) return text;
  if (isFlatPlain(pattern)) {
    const keys = Object.keys(pattern).sort((a, b) => a.localeCompare(b));
    return OBJECT_MARK + keys.map((key) => `${key}.${pattern[key]}`).join('.');
  }
  return ESCAPED_MARK + escapeBytes(text);
}

function parseRoute(route: string): unknown {
  if (!route.startsWith('{')) return route;
  try {
    return JSON.parse(route) as unknown;
  } catch {
    return route;
  }
}

function isFlatPlain(pattern: unknown): pattern is Record<string, string> {
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) return false;
  const entries = Object.entries(pattern);
  return (
    entries.length > 0 && entries.every(([key, value]) => PLAIN_TOKEN.test(key) && typeof value === 'string' && PLAIN_TOKEN.test(value))
  );
}

function escapeBytes(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9-]/.test(char) ? char : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
