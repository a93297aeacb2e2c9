export type OrderStatus = 'Pending' | 'Completed' | 'Compensated' | 'Failed';

export type OrderStepName = 'charge-payment' | 'reserve-inventory' | 'confirm-order';

export type OrderStepStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Compensating' | 'Compensated' | 'CompensationFailed';

export interface OrderStep {
  name: OrderStepName;
  status: OrderStepStatus;
  /** The error code and message when the step failed or its compensation did. */
  error?: { code: string; message: string };
}

export interface OrderLine {
  productId: string;
  quantity: number;
  price: number;
}

export interface Order {
  orderId: string;
  customerId: string;
  items: OrderLine[];
  total: number;
  status: OrderStatus;
  steps: OrderStep[];
  createdAt: string;
  updatedAt: string;
}

export interface PaymentRecord {
  orderId: string;
  /** How many times a charge was applied. */
  charged: number;
  /** How many times a refund was applied. */
  refunded: number;
}

export interface StockLevel {
  productId: string;
  available: number;
  reserved: number;
}

export interface NotificationRecord {
  orderId: string;
  customerId: string;
  kind: 'order-completed';
  text: string;
  at: string;
}
