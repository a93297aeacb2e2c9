import { ErrorCode } from '@catga/core';
import { RpcException } from '@nestjs/microservices';

/** `RpcException` travels as `RPC_EXCEPTION` and is rebuilt as itself, its `getError()` payload kept. */
export const RPC_EXCEPTION = 'RPC_EXCEPTION';
ErrorCode(RPC_EXCEPTION)(RpcException);
