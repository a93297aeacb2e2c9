import { timingSafeEqual } from 'node:crypto';
import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';

export interface CatgaOperationsOptions {
  /**
   * Whether the write operations (redrive, purge, saga retry and abort) are served. Default
   * `CATGA_DASHBOARD_ACTIONS=true`, else off: the API is read-only.
   */
  actions?: boolean;
  /** The bearer token a write operation must carry. Default `CATGA_OPERATOR_TOKEN`; needed when actions are on. */
  token?: string;
}

export interface OperationsAccess {
  readonly actions: boolean;
  readonly token: string | undefined;
}

export const CATGA_OPERATIONS_ACCESS = Symbol.for('catga.operations-access');

/** The options with their defaults from the environment; actions without a token are refused at start. */
export function resolveOperationsAccess(options: CatgaOperationsOptions, env: NodeJS.ProcessEnv = process.env): OperationsAccess {
  const actions = options.actions ?? env.CATGA_DASHBOARD_ACTIONS === 'true';
  const token = options.token ?? (env.CATGA_OPERATOR_TOKEN || undefined);
  if (actions && !token) {
    throw new Error('Operations actions are on (CATGA_DASHBOARD_ACTIONS=true) but no token is set: set CATGA_OPERATOR_TOKEN');
  }
  return { actions, token };
}

/** Lets a write operation through only when actions are on and the request carries `Authorization: Bearer <token>`. */
@Injectable()
export class OperationsActionGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(CATGA_OPERATIONS_ACCESS) private readonly access: OperationsAccess) {
    this.expected = access.token === undefined ? undefined : Buffer.from(`Bearer ${access.token}`);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.access.actions || !this.expected) {
      throw new ForbiddenException({
        statusCode: 403,
        code: 'ACTIONS_DISABLED',
        message: 'Write operations are off (CATGA_DASHBOARD_ACTIONS)',
      });
    }
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const given = Buffer.from(String(request.headers.authorization ?? ''));
    if (given.length !== this.expected.length || !timingSafeEqual(given, this.expected)) {
      throw new UnauthorizedException({ statusCode: 401, code: 'OPERATOR_TOKEN_REQUIRED', message: 'operator token required' });
    }
    return true;
  }
}
