import { Module } from '@nestjs/common';
import { ListNotificationsHandler } from './list-notifications.handler.js';
import { NotificationLog } from './notification.log.js';
import { OrderCompletedHandler } from './order-completed.handler.js';

/** Records a notification for every completed order. */
@Module({
  providers: [NotificationLog, OrderCompletedHandler, ListNotificationsHandler],
  exports: [NotificationLog],
})
export class NotificationServiceModule {}
