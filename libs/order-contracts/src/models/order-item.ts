import { IsInt, IsNumber, IsString, Min, MinLength } from 'class-validator';
import type { OrderLine } from './order.model.js';

export class OrderItem implements OrderLine {
  @IsString()
  @MinLength(1)
  productId!: string;

  @IsInt()
  @Min(1)
  quantity!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  price!: number;
}
