import { runService } from '@catga/sample-host';
import { OrderServiceModule } from './order-service.module.js';

await runService({ serviceName: 'order-service', imports: [OrderServiceModule] });
