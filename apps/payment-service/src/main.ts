import { runService } from '@catga/sample-host';
import { PaymentServiceModule } from './payment-service.module.js';

await runService({ serviceName: 'payment-service', imports: [PaymentServiceModule] });
