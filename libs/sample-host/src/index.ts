export { createServiceApp, runService, type ServiceHostOptions } from './run-service.js';
export { CatgaErrorFilter, httpStatusOf } from './catga-error.filter.js';
