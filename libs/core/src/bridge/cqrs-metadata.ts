/**
 * Metadata keys @nestjs/cqrs 12 writes with its decorators. The package exports only its index,
 * not these constants; `cqrs.bridge.spec.ts` fails if a release renames them.
 */
export const CQRS_COMMAND_HANDLER = '__commandHandler__';
export const CQRS_QUERY_HANDLER = '__queryHandler__';
export const CQRS_EVENTS_HANDLER = '__eventsHandler__';
export const CQRS_COMMAND = '__command__';
export const CQRS_QUERY = '__query__';
export const CQRS_SAGA = '__saga__';
/** The token of `CqrsModule.forRoot(options)`'s options, provided (not exported) by CqrsModule. */
export const CQRS_MODULE_OPTIONS = 'CQRS_MODULE_OPTIONS';
