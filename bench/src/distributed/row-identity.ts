import type { DistributedResult } from './distributed-result.js';

/** What names a row of the distributed table. */
export type RowIdentity = Pick<DistributedResult, 'scenario' | 'label' | 'baseline'>;
