import { Injectable } from '@nestjs/common';
import type { NotificationRecord } from '@catga/order-contracts';

/** Notifications sent, in order. */
@Injectable()
export class NotificationLog {
  private readonly records: NotificationRecord[] = [];

  add(record: NotificationRecord): void {
    this.records.push(record);
  }

  list(orderId?: string): NotificationRecord[] {
    return this.records.filter((r) => orderId === undefined || r.orderId === orderId).map((r) => ({ ...r }));
  }
}
