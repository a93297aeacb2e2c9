import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { ModuleRef, NestFactory } from '@nestjs/core';
import { CatgaModule } from '../module/catga.module.js';
import type { CatgaTestingModuleOptions, CatgaTestingOptions } from './catga-testing-options.interface.js';
import { CatgaTestHarness } from './catga-test.harness.js';

/**
 * `CatgaModule` for a test of one service: in-memory parts, every message across the wire codec,
 * and a `CatgaTestHarness` to drive and watch it.
 *
 *   const harness = await CatgaTestingModule.create({ imports: [BillingModule] });
 *   harness.fakeHandler(ChargeCard, async () => ({ receipt: 'r-1' }));
 *   await harness.send(new PayInvoice('inv-1', 30));
 *   await harness.published.waitFor(InvoicePaid);
 *   await harness.close();
 */
@Module({})
export class CatgaTestingModule {
  /** The application, built and initialised, and its harness; `harness.close()` closes it. */
  static async create(options: CatgaTestingModuleOptions = {}): Promise<CatgaTestHarness> {
    const { imports = [], providers = [], logger = false, ...testing } = options;

    @Module({ imports: [CatgaTestingModule.forRoot(testing), ...imports], providers })
    class ServiceUnderTestModule {}

    const app = await NestFactory.createApplicationContext(ServiceUnderTestModule, { logger });
    try {
      await app.init();
    } catch (error) {
      await app.close();
      throw error;
    }
    return app.get(CatgaTestHarness).own(app);
  }

  /**
   * For `Test.createTestingModule({ imports: [CatgaTestingModule.forRoot(), BillingModule] })`
   * (in place of `CatgaModule.forRoot`): after `init()`, `moduleRef.get(CatgaTestHarness)`.
   */
  static forRoot(options: CatgaTestingOptions = {}): DynamicModule {
    const harness = new CatgaTestHarness(options);
    return {
      module: CatgaTestingModule,
      imports: [CatgaModule.forRoot(harness.catgaModuleOptions())],
      providers: [{ provide: CatgaTestHarness, useFactory: (moduleRef: ModuleRef) => harness.attach(moduleRef), inject: [ModuleRef] }],
      exports: [CatgaTestHarness],
    };
  }
}
