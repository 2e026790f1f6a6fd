// cdk-nag's ServerlessChecks findings that are acknowledged rather than fixed, each where it applies and
// with a reason a reviewer can check. The notifiers have no such finding left: each subscription has a
// redrive policy, each notifier function a DLQ and an on-failure destination (notifier.ts).

import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

const TRACING =
  'Active X-Ray tracing would add xray:PutTraceSegments and xray:PutTelemetryRecords on Resource "*" ' +
  '(X-Ray has no resource-level permissions) to a role that otherwise names every resource, for traces ' +
  'nobody reads: the handlers are not instrumented. Diagnosis goes through the structured logs (request ' +
  'id, deployment, SNS message id on every line), the EMF metrics and the alarms.';

/** Every Lambda function of the stack: tracing off, for the reason above. */
export function acknowledgeTracing(functions: readonly IConstruct[]): void {
  for (const fn of functions)
    Validations.of(fn).acknowledge({ id: 'Serverless-LambdaTracing', reason: TRACING });
}

/** The poller: invoked by its schedules (a rule per group of shards), a failed tick superseded by the next. */
export function acknowledgePollerSchedule(poller: IConstruct, schedules: readonly IConstruct[]): void {
  const tick =
    'The poller is invoked only by its EventBridge schedule, with no retry and a 60 s event age on ' +
    'purpose: a failed or undeliverable invocation is a clock tick that carries no data, and the next ' +
    'tick (scheduleMinutes later) polls afresh. Replaying an old tick from a queue would poll the ' +
    'present, not the past. Missing runs raise the poller-errors and poller-not-running alarms instead.';
  acknowledgeNoAsyncFailureTarget(poller, tick);
  for (const schedule of schedules) {
    Validations.of(schedule).acknowledge({ id: 'Serverless-EventBusDLQ', reason: tick });
  }
}

/** The drill: invoked synchronously, never asynchronously. */
export function acknowledgeDrillInvocation(drill: IConstruct): void {
  const sync =
    'The drill is invoked only synchronously (aws lambda invoke, RequestResponse: the DrillCommand ' +
    'output), which returns its report or error to the caller; a dead-letter queue and an on-failure ' +
    'destination apply to asynchronous invocations only. Its retries are 0 on purpose: a retried drill ' +
    'would fail over again. Failures raise the drill-errors alarm.';
  acknowledgeNoAsyncFailureTarget(drill, sync);
}

function acknowledgeNoAsyncFailureTarget(fn: IConstruct, reason: string): void {
  Validations.of(fn).acknowledge(
    { id: 'Serverless-LambdaDLQ', reason },
    { id: 'Serverless-LambdaAsyncFailureDestination', reason },
  );
}
