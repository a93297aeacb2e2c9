import { CatgaEndpoints } from '@catga/core';
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, ModulesContainer } from '@nestjs/core';
import type { Subscription } from 'rxjs';
import { CatgaClientProxy } from '../client/catga-client.proxy.js';
import { CatgaServer } from '../server/catga.server.js';

/**
 * Joins the strategies and clients Nest makes outside its container to this application's Catga
 * module: a `CatgaServer` when Nest registers it as the application's RPC target (at
 * `connectMicroservice` or `createMicroservice`, before it listens), every `CatgaClientProxy`
 * provider (as `ClientsModule` registers them) once the modules are initialized.
 */
@Injectable()
export class CatgaMicroservicesBinder implements OnModuleInit, OnModuleDestroy {
  private readonly targets: Subscription;

  constructor(
    modules: ModulesContainer,
    private readonly endpoints: CatgaEndpoints,
    private readonly discovery: DiscoveryService,
  ) {
    // Subscribed at construction: a hybrid application may start its microservices before its own init.
    this.targets = modules.getRpcTargetRegistry().subscribe((target) => {
      if (target instanceof CatgaServer) target.bind(endpoints);
    });
  }

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.isDependencyTreeStatic() ? wrapper.instance : undefined;
      if (instance instanceof CatgaClientProxy) instance.bind(this.endpoints);
    }
  }

  onModuleDestroy(): void {
    this.targets.unsubscribe();
  }
}
