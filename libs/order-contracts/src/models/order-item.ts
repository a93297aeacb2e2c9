import { IsInt, IsNumber, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { OrderLine } from './order.model.js';

export class OrderItem implements OrderLine {
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  productId!: string;

  @IsInt()
  @Min(1)
  @Max(10_000)
  quantity!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  // Bounded so a total of every line stays a finite number (1e308 overflowed it to null).
  @Max(1_000_000)
  price!: number;
}
