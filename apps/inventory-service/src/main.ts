import { runService } from '@catga/sample-host';
import { InventoryServiceModule } from './inventory-service.module.js';

await runService({ serviceName: 'inventory-service', imports: [InventoryServiceModule] });
