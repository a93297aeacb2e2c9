export { OrderServiceModule } from './order-service.module.js';
export { OrderRepository } from './order.repository.js';
