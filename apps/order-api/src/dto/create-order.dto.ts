import { OrderItem } from '@catga/order-contracts';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';

/** Body of `POST /api/orders`: the bounds of `PlaceOrder`, checked at the edge. */
export class CreateOrderDto {
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  customerId!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OrderItem)
  items!: OrderItem[];
}
