import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** What only operators should see: the cluster view, the dashboard, the operations API and the metrics. */
export const OPERATOR_PATHS = ['/dashboard', '/api/cluster', '/api/ops', '/metrics'];

/** Whether a request is for `prefix` or below it, in any letter case: Express routes `/METRICS` to `/metrics`. */
export function isUnderPath(req: Request, prefix: string): boolean {
  const path = req.path.toLowerCase();
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** Whether a request carries `Authorization: Bearer <token>`, compared in constant time. */
export function operatorTokenCheck(token: string): (req: Request) => boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  return (req) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}

/**
 * With `CATGA_OPERATOR_TOKEN` set, the operator paths answer 401 unless the request carries
 * `Authorization: Bearer <token>`; the API is unchanged, and the health probes answer without the
 * token (their detail is the token's: `healthDetailAccess`).
 * Unset, they are open, as a service behind an ingress that keeps them off the public port.
 */
export function operatorAccess(token: string | undefined): ((req: Request, res: Response, next: NextFunction) => void) | undefined {
  if (!token) return undefined;
  const isOperator = operatorTokenCheck(token);
  return (req, res, next) => {
    if (!OPERATOR_PATHS.some((p) => isUnderPath(req, p)) || isOperator(req)) return next();
    res.status(401).setHeader('www-authenticate', 'Bearer').json({ statusCode: 401, message: 'operator token required' });
  };
}
