export { createServiceApp, runService, type ServiceHostOptions } from './run-service.js';
export { HEALTH_PATH, healthDetailAccess } from './health-detail.js';
export { OPERATOR_PATHS, operatorAccess } from './operator-access.js';
export { SAMPLE_KEY_PREFIX, SAMPLE_REDIS, SampleStateModule, type SampleRedis } from './sample-state.module.js';
