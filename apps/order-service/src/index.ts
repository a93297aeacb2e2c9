export { OrderServiceModule } from './order-service.module.js';
export { OrderRepository } from './order.repository.js';
export { OrderFulfilmentSaga, type OrderFulfilmentData } from './order-fulfilment.saga.js';
