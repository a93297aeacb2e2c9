import { runService } from '@catga/sample-host';
import { NotificationServiceModule } from './notification-service.module.js';

await runService({ serviceName: 'notification-service', imports: [NotificationServiceModule] });
