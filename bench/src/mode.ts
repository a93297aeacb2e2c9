/** `sequential` awaits one operation at a time; `concurrent` keeps a fixed number in flight. */
export type Mode = 'sequential' | 'concurrent';

export const MODES: readonly Mode[] = ['sequential', 'concurrent'];

export function isMode(value: string): value is Mode {
  return (MODES as readonly string[]).includes(value);
}
