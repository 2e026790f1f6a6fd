// What the stack tests (stack*.test.ts) read of the template: a function by its description, a
// resource's logical id, the statements of a function's role.

import type { Template } from 'aws-cdk-lib/assertions';
import { type Json, resourcesOf } from './helpers';

/** The Lambda function whose entry is the given handler, found by its description. */
export function lambdaFunction(template: Template, description: RegExp): Json {
  const found = resourcesOf(template, 'AWS::Lambda::Function').filter(([, r]) =>
    description.test(String((r.Properties as Json).Description)),
  );
  expect(found).toHaveLength(1);
  return found[0][1];
}

export function logicalId(template: Template, type: string, description: RegExp): string {
  const found = resourcesOf(template, type).filter(([, r]) => description.test(JSON.stringify(r.Properties)));
  expect(found).toHaveLength(1);
  return found[0][0];
}

/** Every statement of the inline policies attached to the role of a function. */
export function statementsOfFunction(template: Template, fn: Json): Json[] {
  const roleId = ((fn.Properties as Json).Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify((p.Properties as Json).Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(([, p]) => ((p.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement);
}
