import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CatgaMicroservicesBinder } from './catga-microservices.binder.js';

/**
 * Imported beside `CatgaModule`: binds the application's `CatgaServer` strategy and its
 * `CatgaClientProxy` clients to Catga's dispatcher and transport.
 */
@Module({ imports: [DiscoveryModule], providers: [CatgaMicroservicesBinder] })
export class CatgaMicroservicesModule {}
