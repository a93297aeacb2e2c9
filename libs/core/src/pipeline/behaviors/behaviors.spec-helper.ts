// The message types, handlers and boot shared by the behavior specs.
import 'reflect-metadata';
import { Module, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, EventsHandler, type ICommandHandler, type IEventHandler } from '@nestjs/cqrs';
import { IsInt, IsString, Min, MinLength } from 'class-validator';
import { CatgaError } from '../../errors/catga.error.js';
import { ErrorCode } from '../../errors/error-code.decorator.js';
import { CatgaMediator } from '../../mediator/catga.mediator.js';
import { MessageType } from '../../messages/message-type.decorator.js';
import type { CatgaModuleOptions } from '../../module/catga-options.interface.js';
import { CatgaModule } from '../../module/catga.module.js';
@ErrorCode('SPEC_DECLINED', { retryable: false })
export class DeclinedError extends CatgaError {}

@MessageType('behaviors.charge')
export class Charge extends Command<string> {
  @IsString() @MinLength(2) customer!: string;
  @IsInt() @Min(1) amount!: number;
  constructor(customer: string, amount: number) {
    super();
    this.customer = customer;
    this.amount = amount;
  }
}

@MessageType('behaviors.charged')
export class Charged {
  constructor(readonly id: string) {}
}

/** What the handlers do next, set per test. */
export const script: {
  calls: number;
  attempts: number[];
  impl: (c: Charge) => Promise<string>;
} = { calls: 0, attempts: [], impl: async () => 'ok' };

export const charged: string[] = [];

@CommandHandler(Charge)
class ChargeHandler implements ICommandHandler<Charge> {
  constructor(private readonly mediator: CatgaMediator) {}
  async execute(c: Charge): Promise<string> {
    script.calls++;
    const result = await script.impl(c);
    await this.mediator.publish(new Charged(`${c.customer}:${script.calls}`));
    return result;
  }
}

@EventsHandler(Charged)
class ChargedHandler implements IEventHandler<Charged> {
  handle(e: Charged): void {
    charged.push(e.id);
  }
}

export async function boot(options: CatgaModuleOptions = {}, logger: LoggerService | false = false) {
  @Module({ imports: [CatgaModule.forRoot(options)], providers: [ChargeHandler, ChargedHandler] })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger });
  await app.init();
  script.calls = 0;
  script.attempts = [];
  script.impl = async () => 'ok';
  charged.length = 0;
  return { app, mediator: app.get(CatgaMediator) };
}

export const fast = { retry: { initialDelayMs: 1, maxDelayMs: 5 } };
