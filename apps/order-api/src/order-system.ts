import { InventoryServiceModule } from '@catga/inventory-service';
import { NotificationServiceModule } from '@catga/notification-service';
import { OrderServiceModule } from '@catga/order-service';
import { PaymentServiceModule } from '@catga/payment-service';
import { createServiceApp, type ServiceHostOptions } from '@catga/sample-host';
import type { INestApplication, Type } from '@nestjs/common';
import { ClusterController } from './controllers/cluster.controller.js';
import { LookupsController } from './controllers/lookups.controller.js';
import { OrdersController } from './controllers/orders.controller.js';

/** The services order-api hosts itself when it runs embedded (no transport configured). */
export const EMBEDDED_SERVICES: Type[] = [OrderServiceModule, PaymentServiceModule, InventoryServiceModule, NotificationServiceModule];

export interface OrderApiOptions {
  /** Host every service in this process (the embedded default). */
  embedded: boolean;
  catga?: ServiceHostOptions['catga'];
}

export function orderApiHostOptions(options: OrderApiOptions): ServiceHostOptions {
  return {
    serviceName: 'order-api',
    controllers: [OrdersController, LookupsController, ClusterController],
    imports: options.embedded ? EMBEDDED_SERVICES : [],
    catga: options.catga,
  };
}

/** The order-api HTTP application, not yet listening. */
export function createOrderApi(options: OrderApiOptions): Promise<INestApplication> {
  return createServiceApp(orderApiHostOptions(options));
}
