import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { CqrsBridge } from '../bridge/cqrs.bridge.js';
import { CatgaMediator } from '../mediator/catga.mediator.js';
import { SagaOrchestrator } from '../saga/saga.orchestrator.js';
import { CatgaCluster } from '../cluster/catga-cluster.js';
import { CatgaOperations } from '../operations/catga-operations.js';
import { CatgaLifecycle } from '../lifecycle/catga-lifecycle.js';
import { CatgaSignals } from '../signals/catga-signals.js';
import type { PipelineBehavior } from '../pipeline/pipeline-behavior.interface.js';
import type { CatgaFeatureOptions, CatgaModuleAsyncOptions, CatgaModuleOptions, CatgaOptionsFactory } from './catga-options.interface.js';
import { CatgaBootstrapper } from './catga.bootstrapper.js';
import { createCatgaProviders } from './catga.providers.js';
import {
  CATGA_EVENT_STREAM_STORE,
  CATGA_IDEMPOTENCY_STORE,
  CATGA_MODULE_OPTIONS,
  CATGA_OUTBOX_STORE,
  CATGA_SAGA_STORE,
  CATGA_SETTINGS,
  CATGA_TRANSPORT,
} from '../tokens/catga.tokens.js';

const EXPORTS = [
  CatgaMediator,
  CatgaCluster,
  CatgaOperations,
  CatgaSignals,
  CatgaLifecycle,
  SagaOrchestrator,
  CATGA_SETTINGS,
  CATGA_TRANSPORT,
  CATGA_IDEMPOTENCY_STORE,
  CATGA_SAGA_STORE,
  CATGA_OUTBOX_STORE,
  CATGA_EVENT_STREAM_STORE,
];

/**
 * Makes the application a Catga peer. Global; imports `CqrsModule.forRoot()` so handlers and
 * buses are the plain @nestjs/cqrs ones.
 */
@Module({})
export class CatgaModule {
  static forRoot(options: CatgaModuleOptions = {}): DynamicModule {
    const behaviorClasses = (options.behaviors ?? []).filter((b): b is Type<PipelineBehavior> => typeof b === 'function');
    return this.build([{ provide: CATGA_MODULE_OPTIONS, useValue: options }], [], behaviorClasses);
  }

  static forRootAsync(options: CatgaModuleAsyncOptions): DynamicModule {
    return this.build(this.asyncOptionsProviders(options), options.imports ?? [], options.behaviors ?? []);
  }

  /** Adds what a feature module brings (its pipeline behaviors). */
  static forFeature(options: CatgaFeatureOptions = {}): DynamicModule {
    const behaviors = options.behaviors ?? [];
    return { module: CatgaModule, providers: behaviors, exports: behaviors };
  }

  private static build(
    optionsProviders: Provider[],
    imports: NonNullable<CatgaModuleAsyncOptions['imports']>,
    behaviors: Array<Type<PipelineBehavior>>,
  ): DynamicModule {
    return {
      module: CatgaModule,
      global: true,
      imports: [...imports, DiscoveryModule, CqrsModule.forRoot()],
      providers: [
        ...optionsProviders,
        ...createCatgaProviders(),
        ...behaviors,
        CqrsBridge,
        CatgaMediator,
        CatgaBootstrapper,
        SagaOrchestrator,
        CatgaLifecycle,
        CatgaCluster,
        CatgaOperations,
      ],
      exports: [...EXPORTS, CqrsModule],
    };
  }

  private static asyncOptionsProviders(options: CatgaModuleAsyncOptions): Provider[] {
    if (options.useFactory) {
      return [{ provide: CATGA_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }];
    }
    const factoryClass = options.useClass ?? options.useExisting;
    if (!factoryClass) {
      throw new Error('CatgaModule.forRootAsync needs useFactory, useClass or useExisting');
    }
    const fromFactory: Provider = {
      provide: CATGA_MODULE_OPTIONS,
      useFactory: (factory: CatgaOptionsFactory) => factory.createCatgaOptions(),
      inject: [factoryClass],
    };
    return options.useClass ? [{ provide: factoryClass, useClass: factoryClass }, fromFactory] : [fromFactory];
  }
}
