import { MalformedMessageError } from '../errors/catga-errors.js';
import { messageClassOf } from '../messages/message-type.decorator.js';

type PlainToInstance = (cls: new () => object, plain: object) => object;
type MessageClass = new () => object;

/**
 * Where class-transformer keeps what its decorators (`@Type`, `@Transform`, `@Expose`, `@Exclude`)
 * said, per class, as it has since 0.3: the maps its own transformation reads.
 */
interface TransformerMetadata {
  readonly _typeMetadatas: ReadonlyMap<unknown, unknown>;
  readonly _transformMetadatas: ReadonlyMap<unknown, unknown>;
  readonly _exposeMetadatas: ReadonlyMap<unknown, unknown>;
  readonly _excludeMetadatas: ReadonlyMap<unknown, unknown>;
}

/** The module of class-transformer's metadata singleton, the one `plainToInstance` reads. */
const METADATA_MODULE = 'class-transformer/cjs/storage.js';

let plainToInstance: PlainToInstance | undefined;
let metadata: TransformerMetadata | undefined;
let loaded = false;
/** Per message class: whether class-transformer has anything to do for it (a decorator on it or an ancestor). */
const decorated = new WeakMap<MessageClass, boolean>();

/** Loads class-transformer if installed, so nested `@Type()` members become instances too. */
export async function loadBodyHydrator(): Promise<void> {
  if (loaded) return;
  loaded = true;
  try {
    const mod = (await import('class-transformer')) as unknown as { plainToInstance: PlainToInstance };
    plainToInstance = mod.plainToInstance;
  } catch {
    plainToInstance = undefined;
    return;
  }
  try {
    const storage = ((await import(METADATA_MODULE)) as { defaultMetadataStorage?: unknown }).defaultMetadataStorage;
    metadata = isTransformerMetadata(storage) ? storage : undefined;
  } catch {
    metadata = undefined;
  }
}

/**
 * Turns a decoded JSON body into an instance of the class registered for `type`, so handlers
 * and validation see the same class a local send would give them. Unknown types stay plain.
 */
export function hydrateBody(type: string, plain: unknown, messageId?: string): unknown {
  const cls = messageClassOf(type) as MessageClass | undefined;
  if (!cls) return plain;
  // A message of a registered class is an object; anything else would reach the handler unvalidated.
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw new MalformedMessageError(
      `The body of ${type} must be a JSON object, not ${Array.isArray(plain) ? 'an array' : String(plain === null ? null : typeof plain)}`,
      { messageId },
    );
  }
  if (!plainToInstance) return Object.assign(Object.create(cls.prototype as object) as object, plain);
  if (isDecorated(cls)) return plainToInstance(cls, plain);
  return copyInto(new cls(), plain);
}

/**
 * What `plainToInstance` makes of a freshly parsed body for a class without class-transformer
 * decorators, without its walk: the class constructed with no arguments, then each key of the
 * body but `__proto__` and `constructor` set on it. Nested values are kept as parsed where
 * class-transformer would copy them (body-hydrator.spec.ts compares the two).
 */
function copyInto(instance: object, plain: object): object {
  const target = instance as Record<string, unknown>;
  const source = plain as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    if (key === '__proto__' || key === 'constructor') continue;
    target[key] = source[key];
  }
  return instance;
}

/** Without the metadata maps (another class-transformer), every class is taken for decorated. */
function isDecorated(cls: MessageClass): boolean {
  if (!metadata) return true;
  let known = decorated.get(cls);
  if (known === undefined) {
    known = hasMetadata(metadata, cls);
    decorated.set(cls, known);
  }
  return known;
}

function hasMetadata(m: TransformerMetadata, cls: MessageClass): boolean {
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    if (m._typeMetadatas.has(c) || m._transformMetadatas.has(c) || m._exposeMetadatas.has(c) || m._excludeMetadatas.has(c)) return true;
  }
  return false;
}

function isTransformerMetadata(value: unknown): value is TransformerMetadata {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return [v._typeMetadatas, v._transformMetadatas, v._exposeMetadatas, v._excludeMetadatas].every((m) => m instanceof Map);
}
