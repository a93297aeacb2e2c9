import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** What only operators should see: the cluster view, the dashboard and the metrics. */
export const OPERATOR_PATHS = ['/dashboard', '/api/cluster', '/metrics'];

/**
 * With `CATGA_OPERATOR_TOKEN` set, the operator paths answer 401 unless the request carries
 * `Authorization: Bearer <token>`; everything else (the API, the health probes) is unchanged.
 * Unset, they are open, as a service behind an ingress that keeps them off the public port.
 */
export function operatorAccess(token: string | undefined): ((req: Request, res: Response, next: NextFunction) => void) | undefined {
  if (!token) return undefined;
  const expected = Buffer.from(`Bearer ${token}`);
  return (req, res, next) => {
    if (!OPERATOR_PATHS.some((p) => req.path === p || req.path.startsWith(`${p}/`))) return next();
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    res.status(401).setHeader('www-authenticate', 'Bearer').json({ statusCode: 401, message: 'operator token required' });
  };
}
