import {
  CatgaExceptionFilter,
  CatgaOperations,
  type DeadLetterDetail,
  type DeadLetterEntry,
  type DeadLetterSelection,
  type RedriveResult,
  type SagaState,
  type SagaStatus,
  ValidationFailedError,
} from '@catga/core';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseFilters, UseGuards } from '@nestjs/common';
import { CATGA_OPERATIONS_ACCESS, OperationsActionGuard, type OperationsAccess } from './operations-access.js';

const SAGA_STATUSES: readonly SagaStatus[] = ['Pending', 'Running', 'Compensating', 'Completed', 'Compensated', 'Failed'];

/** The query string of a listing, read strictly: a bad number or status is a 400, not an empty list. */
function optionalNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new ValidationFailedError(`${name} must be a non-negative number`);
  return n;
}

function selectionOf(body: unknown): DeadLetterSelection {
  if (!body || typeof body !== 'object')
    throw new ValidationFailedError('The body names the dead letters: { ids } or { type, group, all }');
  const { ids, type, group, all, since } = body as Record<string, unknown>;
  if (ids !== undefined && (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))) {
    throw new ValidationFailedError('ids must be a list of dead-letter ids');
  }
  for (const [name, value] of Object.entries({ type, group })) {
    if (value !== undefined && typeof value !== 'string') throw new ValidationFailedError(`${name} must be a string`);
  }
  return {
    ids: ids as string[] | undefined,
    type: type as string | undefined,
    group: group as string | undefined,
    since: typeof since === 'number' ? since : undefined,
    all: all === true,
  };
}

/**
 * `/api/ops`: the operations of `CatgaOperations` over HTTP, for the dashboard and any tool.
 * Reads are open to whoever reaches the path (put it behind the operator token with the rest of
 * the operator paths); writes need the actions on and the bearer token (`OperationsActionGuard`).
 */
@Controller('api/ops')
@UseFilters(CatgaExceptionFilter)
export class OperationsController {
  constructor(
    private readonly operations: CatgaOperations,
    @Inject(CATGA_OPERATIONS_ACCESS) private readonly access: OperationsAccess,
  ) {}

  @Get()
  capabilities(): { actions: boolean; deadLetters: boolean } {
    return { actions: this.access.actions, deadLetters: this.operations.keepsDeadLetters };
  }

  @Get('dead-letters')
  async deadLetters(
    @Query('type') type?: string,
    @Query('group') group?: string,
    @Query('since') since?: string,
    @Query('limit') limit?: string,
  ): Promise<{ items: DeadLetterEntry[] }> {
    const query = {
      type: type || undefined,
      group: group || undefined,
      since: optionalNumber('since', since),
      limit: optionalNumber('limit', limit),
    };
    return { items: await this.operations.deadLetters(query) };
  }

  @Get('dead-letters/:id')
  deadLetter(@Param('id') id: string): Promise<DeadLetterDetail> {
    return this.operations.deadLetter(id);
  }

  @Post('dead-letters/redrive')
  @HttpCode(200)
  @UseGuards(OperationsActionGuard)
  async redrive(@Body() body: unknown): Promise<{ results: RedriveResult[] }> {
    const dryRun = typeof body === 'object' && body !== null && (body as { dryRun?: unknown }).dryRun === true;
    return { results: await this.operations.redrive(selectionOf(body), { dryRun }) };
  }

  @Post('dead-letters/purge')
  @HttpCode(200)
  @UseGuards(OperationsActionGuard)
  async purge(@Body() body: unknown): Promise<{ purged: number }> {
    return { purged: await this.operations.purge(selectionOf(body)) };
  }

  @Get('sagas')
  async sagas(
    @Query('status') status?: string,
    @Query('name') name?: string,
    @Query('limit') limit?: string,
  ): Promise<{ items: SagaState[] }> {
    if (status && !SAGA_STATUSES.includes(status as SagaStatus)) {
      throw new ValidationFailedError(`status must be one of ${SAGA_STATUSES.join(', ')}`);
    }
    const query = {
      status: (status || undefined) as SagaStatus | undefined,
      sagaName: name || undefined,
      limit: optionalNumber('limit', limit),
    };
    return { items: await this.operations.sagas(query) };
  }

  @Get('sagas/:id')
  saga(@Param('id') id: string): Promise<SagaState> {
    return this.operations.saga(id);
  }

  @Post('sagas/:id/retry')
  @HttpCode(200)
  @UseGuards(OperationsActionGuard)
  retry(@Param('id') id: string): Promise<SagaState> {
    return this.operations.retrySaga(id);
  }

  @Post('sagas/:id/abort')
  @HttpCode(200)
  @UseGuards(OperationsActionGuard)
  abort(@Param('id') id: string): Promise<SagaState> {
    return this.operations.abortSaga(id);
  }
}
