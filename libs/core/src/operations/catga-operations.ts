import { Inject, Injectable, Logger } from '@nestjs/common';
import { CatgaCluster } from '../cluster/catga-cluster.js';
import type { ClusterEvent, ClusterMember } from '../cluster/cluster-member.js';
import { HandlerNotFoundError, ValidationFailedError } from '../errors/catga-errors.js';
import { serializeError, type SerializedError } from '../errors/error.serializer.js';
import type { Dispatcher } from '../mediator/dispatcher.js';
import type { PublishOptions, SendOptions } from '../mediator/send-options.js';
import { SagaNotFoundError } from '../saga/saga-errors.js';
import { SagaOrchestrator } from '../saga/saga.orchestrator.js';
import type { SagaState, SagaStatus } from '../stores/saga/saga-state.js';
import type { SagaQuery, SagaStore } from '../stores/saga/saga-store.interface.js';
import { CATGA_DISPATCHER, CATGA_SAGA_STORE, CATGA_TRANSPORT } from '../tokens/catga.tokens.js';
import type { ArchivedDeadLetter, DeadLetterArchive, DeadLetterQuery, Transport } from '../transport/transport.interface.js';
import { redriveRequestOf, redriveType } from './dead-letter-redrive.js';
import { DeadLetterNotFoundError, OperationNotSupportedError } from './operation-errors.js';

/** A dead letter as a listing shows it. */
export interface DeadLetterEntry {
  id: string;
  type: string;
  group: string;
  messageId: string;
  correlationId: string;
  deliveries: number;
  deadLetteredAt: number;
  error: SerializedError;
}

/** One dead letter whole: its stored headers and its body (the JSON value, or the text when it is not JSON). */
export interface DeadLetterDetail extends DeadLetterEntry {
  headers: Record<string, string>;
  body: unknown;
}

/** Which dead letters an operation takes: the ones named, or those matching a type and group, or all. */
export interface DeadLetterSelection {
  ids?: readonly string[];
  type?: string;
  group?: string;
  since?: number;
  /** Every dead letter (with `type`, `group`, `since`: every one matching them). Needed when no ids are named. */
  all?: boolean;
  /** At most this many (default 10 000). */
  limit?: number;
}

export type RedriveOutcome = 'redriven' | 'failed' | 'would-redrive';

export interface RedriveResult {
  id: string;
  type: string;
  group: string;
  messageId: string;
  outcome: RedriveOutcome;
  /** Why it was not taken back; the dead letter stays. */
  error?: SerializedError;
}

export interface RedriveOptions {
  /** List what would be sent back, send nothing. */
  dryRun?: boolean;
  /** How long each group has to take its dead letter back, in ms. Default: the module's `requestTimeoutMs`. */
  timeoutMs?: number;
  /** Told after each dead letter, for progress on a long run. */
  onProgress?: (result: RedriveResult, done: number, total: number) => void;
}

/** The cluster as this instance sees it. */
export interface ClusterSnapshot {
  at: number;
  self: { service: string; instance: string };
  /** Without their traffic windows, which `CatgaCluster.trafficHistory` serves summed up. */
  members: Array<Omit<ClusterMember, 'traffic'>>;
  /** Sagas by status in the saga store this instance uses (shared when it is Redis). */
  sagas: Record<SagaStatus, number>;
  events: ClusterEvent[];
}

/** Dead letters a selection takes when it names no limit. */
export const DEFAULT_SELECTION_LIMIT = 10_000;

/**
 * What a person on call does to a running system, in one place: the `catga` command line and
 * the dashboard's API both call it. Dead letters are listed, shown, sent back to the handler
 * group that gave them up (with their own message id, so idempotency keeps a replay from
 * applying anything twice; removed only once that group took it) and purged; sagas are listed,
 * shown, retried and aborted; a command, query or event goes through the real envelope and path.
 */
@Injectable()
export class CatgaOperations {
  private readonly logger = new Logger('CatgaOperations');

  constructor(
    @Inject(CATGA_TRANSPORT) private readonly transport: Transport,
    @Inject(CATGA_DISPATCHER) private readonly dispatcher: Dispatcher,
    @Inject(CATGA_SAGA_STORE) private readonly sagaStore: SagaStore,
    private readonly orchestrator: SagaOrchestrator,
    private readonly clusterView: CatgaCluster,
  ) {}

  /** Whether the transport keeps dead letters to list, send back and purge. */
  get keepsDeadLetters(): boolean {
    return this.transport.deadLetterArchive !== undefined;
  }

  async deadLetters(query: DeadLetterQuery = {}): Promise<DeadLetterEntry[]> {
    return (await this.archive().list(query)).map(entryOf);
  }

  async deadLetter(id: string): Promise<DeadLetterDetail> {
    const found = await this.archive().get(id);
    if (!found) throw new DeadLetterNotFoundError(`No dead letter ${id}`);
    return { ...entryOf(found), headers: { ...found.headers }, body: bodyValue(found.body) };
  }

  /**
   * Sends each selected dead letter back to its group, one after the other, and removes it once
   * an instance of that group handled it. One that fails again, or whose group has no instance
   * running, stays where it is, with why.
   */
  async redrive(selection: DeadLetterSelection, options: RedriveOptions = {}): Promise<RedriveResult[]> {
    const selected = await this.select(selection);
    const results: RedriveResult[] = [];
    for (const deadLetter of selected) {
      const result = options.dryRun ? resultOf(deadLetter, 'would-redrive') : await this.redriveOne(deadLetter, options.timeoutMs);
      results.push(result);
      options.onProgress?.(result, results.length, selected.length);
    }
    return results;
  }

  /** Removes the selected dead letters for good; resolves with how many were removed. */
  async purge(selection: DeadLetterSelection): Promise<number> {
    const archive = this.archive();
    let purged = 0;
    for (const deadLetter of await this.select(selection)) if (await archive.remove(deadLetter.id)) purged++;
    if (purged > 0) this.logger.warn(`Purged ${purged} dead letter(s)`);
    return purged;
  }

  sagas(query: SagaQuery = {}): Promise<SagaState[]> {
    return this.sagaStore.list(query);
  }

  async saga(sagaId: string): Promise<SagaState> {
    const state = await this.sagaStore.get(sagaId);
    if (!state) throw new SagaNotFoundError(`No saga ${sagaId}`);
    return state;
  }

  /** `SagaOrchestrator.retry`: here, where the saga may not be defined, it is handed to an instance that defines it. */
  retrySaga(sagaId: string): Promise<SagaState> {
    return this.orchestrator.retry(sagaId);
  }

  abortSaga(sagaId: string, reason?: string): Promise<SagaState> {
    return this.orchestrator.abort(sagaId, reason);
  }

  /** Rejects with `NOT_SUPPORTED` on a transport with no presence channel (Redis Streams): no instance is heard there. */
  cluster(): Promise<ClusterSnapshot> {
    if (!this.transport.presence) {
      return Promise.reject(
        new OperationNotSupportedError(`The ${this.transport.name} transport carries no presence: instances do not hear each other on it`),
      );
    }
    return this.snapshot();
  }

  /** The cluster as this instance sees it, whatever the transport (without presence: itself alone). */
  async snapshot(): Promise<ClusterSnapshot> {
    const { serviceName, instanceId } = this.dispatcher.settings;
    return {
      at: Date.now(),
      self: { service: serviceName, instance: instanceId },
      members: this.clusterView.view().map(({ traffic: _traffic, ...member }) => member),
      sagas: await this.sagaStore.countByStatus(),
      events: this.clusterView.events(50),
    };
  }

  /** A command or query of `type` with a body of plain values, through the transport; resolves with its result, rejects with its typed error. */
  send(type: string, body: unknown, options?: SendOptions): Promise<unknown> {
    return this.dispatcher.sendByType(type, body, undefined, options);
  }

  publish(type: string, body: unknown, options?: PublishOptions): Promise<void> {
    return this.dispatcher.publishAs(type, body, options);
  }

  private async redriveOne(deadLetter: ArchivedDeadLetter, timeoutMs: number | undefined): Promise<RedriveResult> {
    try {
      await this.dispatcher.sendByType(redriveType(deadLetter.group), redriveRequestOf(deadLetter), 'command', { timeoutMs });
    } catch (error) {
      const reason =
        error instanceof HandlerNotFoundError
          ? new HandlerNotFoundError(redriveType(deadLetter.group), {
              details: { group: deadLetter.group, reason: `No instance of ${deadLetter.group} is running to take it back` },
            })
          : error;
      return { ...resultOf(deadLetter, 'failed'), error: serializeError(reason) };
    }
    // Handled: gone from the dead letters. Were the removal lost, a second redrive would only replay the recorded outcome.
    await this.archive().remove(deadLetter.id);
    this.logger.log(`Redrove ${deadLetter.envelope.type} ${deadLetter.envelope.id} to ${deadLetter.group}`);
    return resultOf(deadLetter, 'redriven');
  }

  private async select(selection: DeadLetterSelection): Promise<ArchivedDeadLetter[]> {
    const archive = this.archive();
    const limit = selection.limit ?? DEFAULT_SELECTION_LIMIT;
    if (selection.ids && selection.ids.length > 0) {
      const found: ArchivedDeadLetter[] = [];
      for (const id of selection.ids.slice(0, limit)) {
        const deadLetter = await archive.get(id);
        if (!deadLetter) throw new DeadLetterNotFoundError(`No dead letter ${id}`);
        found.push(deadLetter);
      }
      return found;
    }
    if (!selection.all && selection.type === undefined && selection.group === undefined) {
      throw new ValidationFailedError('Name the dead letters: their ids, a type or group, or all of them');
    }
    return archive.list({ type: selection.type, group: selection.group, since: selection.since, limit });
  }

  private archive(): DeadLetterArchive {
    const archive = this.transport.deadLetterArchive;
    if (!archive) throw new OperationNotSupportedError(`The ${this.transport.name} transport keeps no dead letters to look at`);
    return archive;
  }
}

function entryOf(deadLetter: ArchivedDeadLetter): DeadLetterEntry {
  return {
    id: deadLetter.id,
    type: deadLetter.envelope.type,
    group: deadLetter.group,
    messageId: deadLetter.envelope.id,
    correlationId: deadLetter.envelope.correlationId,
    deliveries: deadLetter.deliveries,
    deadLetteredAt: deadLetter.deadLetteredAt,
    error: deadLetter.error,
  };
}

function resultOf(deadLetter: ArchivedDeadLetter, outcome: RedriveOutcome): RedriveResult {
  return { id: deadLetter.id, type: deadLetter.envelope.type, group: deadLetter.group, messageId: deadLetter.envelope.id, outcome };
}

function bodyValue(body: Uint8Array): unknown {
  const text = new TextDecoder().decode(body);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
