import type { MessageContext } from '../../context/message-context.js';
import { ValidationFailedError, type ValidationIssue } from '../../errors/catga-errors.js';
import type { PipelineBehavior } from '../pipeline-behavior.interface.js';

interface ClassValidatorError {
  property: string;
  constraints?: Record<string, string>;
  children?: ClassValidatorError[];
}

/** Validation issues a `VALIDATION_FAILED` error lists; the message says how many more there were. */
export const MAX_REPORTED_ISSUES = 20;

/** Any class a message can be an instance of. */
type MessageConstructor = abstract new (...args: never[]) => unknown;

interface ClassValidator {
  validate(object: object, options?: object): Promise<ClassValidatorError[]>;
  getMetadataStorage(): {
    getTargetValidationMetadatas(target: MessageConstructor, schema: string, always: boolean, strictGroups: boolean): unknown[];
  };
}

/**
 * Validates message bodies with class-validator decorators, when class-validator is installed
 * and the message class uses it. A failure is a `VALIDATION_FAILED` error listing each invalid
 * property with its first failing rule.
 */
export class ValidationBehavior implements PipelineBehavior {
  private readonly decorated = new Map<MessageConstructor, boolean>();

  private constructor(private readonly validator: ClassValidator | undefined) {}

  /** Loads class-validator if present; without it only handler-thrown validation errors exist. */
  static async create(): Promise<ValidationBehavior> {
    let validator: ClassValidator | undefined;
    try {
      validator = (await import('class-validator')) as unknown as ClassValidator;
    } catch {
      validator = undefined;
    }
    return new ValidationBehavior(validator);
  }

  get enabled(): boolean {
    return this.validator !== undefined;
  }

  async handle(context: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    const body = context.envelope.body;
    if (this.validator && body !== null && typeof body === 'object' && this.isDecorated(body.constructor as MessageConstructor)) {
      // The first failing rule per property: a list over its ArrayMaxSize is refused without validating every item.
      const errors = await this.validator.validate(body, { forbidUnknownValues: false, stopAtFirstError: true });
      if (errors.length > 0) {
        const all = flatten(errors, '');
        // The reply and the log line stay small however many items were wrong.
        const issues = all.slice(0, MAX_REPORTED_ISSUES);
        const more = all.length - issues.length;
        throw new ValidationFailedError(
          `Invalid ${context.envelope.type}: ${issues.map((i) => `${i.property} (${Object.values(i.constraints).join('; ')})`).join(', ')}` +
            (more > 0 ? `, and ${more} more` : ''),
          issues,
          { messageId: context.envelope.id },
        );
      }
    }
    return next();
  }

  private isDecorated(ctor: MessageConstructor): boolean {
    let known = this.decorated.get(ctor);
    if (known === undefined) {
      known = this.validator!.getMetadataStorage().getTargetValidationMetadatas(ctor, '', true, false).length > 0;
      this.decorated.set(ctor, known);
    }
    return known;
  }
}

function flatten(errors: ClassValidatorError[], prefix: string): ValidationIssue[] {
  return errors.flatMap((e) => {
    const property = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ property, constraints: e.constraints }] : [];
    return [...own, ...flatten(e.children ?? [], property)];
  });
}
