export { NotificationServiceModule } from './notification-service.module.js';
export { NotificationLog } from './notification.log.js';
