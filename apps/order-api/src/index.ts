export { createOrderApi, orderApiHostOptions, EMBEDDED_SERVICES, type OrderApiOptions } from './order-system.js';
