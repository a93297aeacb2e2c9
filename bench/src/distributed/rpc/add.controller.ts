import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ADD_SUBJECT, type AddRequest } from './add-request.js';

@Controller()
export class AddController {
  @MessagePattern(ADD_SUBJECT)
  add(@Payload() request: AddRequest): number {
    return request.a + request.b;
  }
}
