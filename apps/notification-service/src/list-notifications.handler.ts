import { ListNotifications, type NotificationRecord } from '@catga/order-contracts';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { NotificationLog } from './notification.log.js';

@QueryHandler(ListNotifications)
export class ListNotificationsHandler implements IQueryHandler<ListNotifications> {
  constructor(private readonly log: NotificationLog) {}

  async execute(query: ListNotifications): Promise<NotificationRecord[]> {
    return this.log.list(query.orderId);
  }
}
