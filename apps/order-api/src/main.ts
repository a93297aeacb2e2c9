import { runService } from '@catga/sample-host';
import { orderApiHostOptions } from './order-system.js';

// With no NATS configured, order-api hosts every service itself: the embedded order system.
const embedded = !process.env.CATGA_NATS_URL;
await runService(orderApiHostOptions({ embedded }));
