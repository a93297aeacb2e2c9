import { Injectable } from '@nestjs/common';
import { BehaviorOrder } from './pipeline-behavior.interface.js';

const BEHAVIOR_METADATA = Symbol.for('catga.behavior');

export interface BehaviorOptions {
  /** Position in the pipeline; lower is outer. Built-ins use `BehaviorOrder`. Default `BehaviorOrder.user`. */
  order?: number;
}

/** Marks an injectable class implementing `PipelineBehavior` to be added to every handler's pipeline. */
export function Behavior(options: BehaviorOptions = {}): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(BEHAVIOR_METADATA, { order: options.order ?? BehaviorOrder.user }, target);
    Injectable()(target);
  };
}

export function behaviorOptionsOf(target: object): Required<BehaviorOptions> | undefined {
  return Reflect.getMetadata(BEHAVIOR_METADATA, target) as Required<BehaviorOptions> | undefined;
}
