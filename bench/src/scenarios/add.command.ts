import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';

/**
 * The trivial command every scenario executes. Deliberately free of Catga imports, so the raw
 * @nestjs/cqrs worker never loads @catga/core; the Catga scenarios stamp its message type.
 */
export class Add extends Command<number> {
  constructor(
    readonly a: number,
    readonly b: number,
  ) {
    super();
  }
}

@CommandHandler(Add)
export class AddHandler implements ICommandHandler<Add, number> {
  async execute(command: Add): Promise<number> {
    return command.a + command.b;
  }
}
