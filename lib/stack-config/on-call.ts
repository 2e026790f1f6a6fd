// Who may use the on-call commands against the deployed stack (silence, history, test-alert, doctor):
// the stack makes one managed policy with exactly their calls (lib/constructs/on-call-access.ts), and
// attaches it to the IAM roles listed here. Writing silences is IAM on the table, nothing else.

import { list, requiredPattern } from './fields';

/** An IAM role ARN, with an optional path: arn:aws:iam::123456789012:role[/path]/name. */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

export interface OnCallSection {
  /** Roles (same account) that get the on-call policy; none: attach OnCallPolicyArn yourself. */
  readonly onCallRoleArns: readonly string[];
}

export function parseOnCallSection(root: Record<string, unknown>): OnCallSection {
  const onCallRoleArns =
    root.onCallRoleArns === undefined
      ? []
      : list(
          root.onCallRoleArns,
          'onCallRoleArns',
          (v, f) => requiredPattern(v, f, ROLE_ARN, 'an IAM role ARN (arn:aws:iam::<account>:role/<name>)'),
          false,
          true,
        );
  return { onCallRoleArns };
}
