/** The strategy's `transportId`: `@MessagePattern('x', CATGA_TRANSPORT_ID)` binds a handler to it alone in a hybrid application. */
export const CATGA_TRANSPORT_ID = Symbol.for('catga.microservices.transport');
