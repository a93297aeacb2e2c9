import type { NextFunction, Request, Response } from 'express';
import { isUnderPath, operatorTokenCheck } from './operator-access.js';

/** The health probes (`/health`, `/health/live`, `/health/ready`): their detail names the dependencies that are down. */
export const HEALTH_PATH = '/health';

const TERMINUS_STATUSES: ReadonlySet<unknown> = new Set(['ok', 'error', 'shutting_down']);

/**
 * With `CATGA_OPERATOR_TOKEN` set, a health probe without `Authorization: Bearer <token>` keeps
 * its status code, but its body is only Terminus's `status` (`{"status":"ok"}` or
 * `{"status":"error"}`): a kubelet's probe carries no token and needs no more. With the token the
 * body is whole; with the variable unset, always.
 */
export function healthDetailAccess(token: string | undefined): ((req: Request, res: Response, next: NextFunction) => void) | undefined {
  if (!token) return undefined;
  const isOperator = operatorTokenCheck(token);
  return (req, res, next) => {
    if (!isUnderPath(req, HEALTH_PATH) || isOperator(req)) return next();
    // Terminus answers through res.json, a 503 too (its exception filter replies the same way).
    const json = res.json.bind(res);
    res.json = (body: unknown) => json({ status: statusOf(body, res.statusCode) });
    next();
  };
}

function statusOf(body: unknown, statusCode: number): unknown {
  const status = body !== null && typeof body === 'object' ? (body as { status?: unknown }).status : undefined;
  if (TERMINUS_STATUSES.has(status)) return status;
  return statusCode < 400 ? 'ok' : 'error';
}
