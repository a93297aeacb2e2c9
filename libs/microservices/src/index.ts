// @catga/microservices: @nestjs/microservices handlers and clients on Catga's transport.
import './errors/rpc-exception.registration.js';

export { CatgaServer, type CatgaServerStatus } from './server/catga.server.js';
export { CATGA_TRANSPORT_ID } from './server/catga-transport.id.js';
export { CatgaClientProxy, type CatgaClientStatus } from './client/catga-client.proxy.js';
export type {
  CatgaClientOptions,
  CatgaPatternExtras,
  CatgaPatternOptions,
  CatgaServerOptions,
} from './catga-microservices-options.interface.js';
export { CatgaContext } from './context/catga.context.js';
export { CatgaMicroservicesModule } from './module/catga-microservices.module.js';
export { patternType } from './patterns/pattern-type.js';
export { RPC_EXCEPTION } from './errors/rpc-exception.registration.js';
export { CatgaRpcExceptionFilter } from './errors/catga-rpc-exception.filter.js';
