export { createOrderApi, orderApiHostOptions, EMBEDDED_SERVICES, type OrderApiOptions } from './order-system.js';
export { ClusterController, type TrafficSnapshot } from './controllers/cluster.controller.js';
