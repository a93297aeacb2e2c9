import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ReserveInventory } from './inventory.commands.js';

const line = { productId: 'p', quantity: 1, price: 1 };

describe('ReserveInventory', () => {
  it('takes as many lines as an order may have, 100, and refuses one more', async () => {
    const ok = plainToInstance(ReserveInventory, { orderId: 'o', items: Array.from({ length: 100 }, () => line) });
    assert.deepEqual(await validate(ok), []);
    const tooMany = plainToInstance(ReserveInventory, { orderId: 'o', items: Array.from({ length: 101 }, () => line) });
    const errors = await validate(tooMany, { stopAtFirstError: true });
    assert.deepEqual(
      errors.map((e) => [e.property, e.constraints]),
      [['items', { arrayMaxSize: 'items must contain no more than 100 elements' }]],
    );
  });
});
