import { OrderItem } from '@catga/order-contracts';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsString, MinLength, ValidateNested } from 'class-validator';

/** Body of `POST /api/orders`. */
export class CreateOrderDto {
  @IsString()
  @MinLength(1)
  customerId!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => OrderItem)
  items!: OrderItem[];
}
