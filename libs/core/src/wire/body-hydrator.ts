import { MalformedMessageError } from '../errors/catga-errors.js';
import { messageClassOf } from '../messages/message-type.decorator.js';

type PlainToInstance = (cls: new () => object, plain: object) => object;

let plainToInstance: PlainToInstance | undefined;
let loaded = false;

/** Loads class-transformer if installed, so nested `@Type()` members become instances too. */
export async function loadBodyHydrator(): Promise<void> {
  if (loaded) return;
  loaded = true;
  try {
    const mod = (await import('class-transformer')) as unknown as { plainToInstance: PlainToInstance };
    plainToInstance = mod.plainToInstance;
  } catch {
    plainToInstance = undefined;
  }
}

/**
 * Turns a decoded JSON body into an instance of the class registered for `type`, so handlers
 * and validation see the same class a local send would give them. Unknown types stay plain.
 */
export function hydrateBody(type: string, plain: unknown, messageId?: string): unknown {
  const cls = messageClassOf(type);
  if (!cls) return plain;
  // A message of a registered class is an object; anything else would reach the handler unvalidated.
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw new MalformedMessageError(
      `The body of ${type} must be a JSON object, not ${Array.isArray(plain) ? 'an array' : String(plain === null ? null : typeof plain)}`,
      { messageId },
    );
  }
  if (plainToInstance) return plainToInstance(cls as unknown as new () => object, plain);
  return Object.assign(Object.create(cls.prototype as object) as object, plain);
}
