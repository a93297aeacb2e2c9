import { Module } from '@nestjs/common';
import { ListNotificationsHandler } from './list-notifications.handler.js';
import { NotificationLog } from './notification.log.js';
import { notificationLogProvider } from './notification-log.provider.js';
import { OrderCompletedHandler } from './order-completed.handler.js';

/** Records a notification for every completed order. */
@Module({
  providers: [notificationLogProvider, OrderCompletedHandler, ListNotificationsHandler],
  exports: [NotificationLog],
})
export class NotificationServiceModule {}
