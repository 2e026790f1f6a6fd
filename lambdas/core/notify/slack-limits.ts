// Block Kit's documented limits, checked before anything is posted: Slack answers a payload that breaks
// one with `400 invalid_blocks` and the alert is lost. The TypeScript types (@slack/types) cannot say
// "at least one field" or "at most 3000 characters", so the builder clips to these numbers and this
// check proves it did, for every message, at run time. Pure.
//
// Limits from Slack's reference (Block Kit: blocks, composition objects; chat.postMessage): a message
// holds at most 50 blocks; header text is plain_text of at most 150 characters; a section has `text`
// (at most 3000) or `fields` (1 to 10, each at most 2000), or both; a context has 1 to 10 elements;
// a text object is never empty; the top-level `text` is cut by Slack beyond 40,000 characters.

import type { AnyBlock, MessageAttachment } from '@slack/types';

export interface SlackWebhookPayload {
  /** Notification text, and what clients without blocks show. Mentions (`<!here>`) go here. */
  readonly text: string;
  readonly attachments?: readonly MessageAttachment[];
  readonly blocks?: readonly AnyBlock[];
  readonly unfurl_links?: boolean;
  readonly unfurl_media?: boolean;
}

export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  contextElements: 10,
  messageText: 40_000,
} as const;

/** Every way the payload breaks a documented limit; empty when Slack will take it. */
export function slackPayloadProblems(payload: SlackWebhookPayload): string[] {
  const problems: string[] = [];
  if (typeof payload.text !== 'string' || payload.text.trim() === '') problems.push('text: empty');
  else if (payload.text.length > SLACK_LIMITS.messageText) problems.push('text: too long');
  const check = (blocks: readonly AnyBlock[] | undefined, where: string) => {
    if (blocks === undefined) return;
    if (blocks.length > SLACK_LIMITS.blocks) problems.push(`${where}: ${blocks.length} blocks`);
    for (const [i, b] of blocks.entries()) problems.push(...blockProblems(b, `${where}[${i}]`));
  };
  check(payload.blocks, 'blocks');
  for (const [i, a] of (payload.attachments ?? []).entries()) check(a.blocks, `attachments[${i}].blocks`);
  return problems;
}

interface TextObject {
  readonly type?: unknown;
  readonly text?: unknown;
}

function textProblems(t: TextObject | undefined, where: string, max: number, plainOnly = false): string[] {
  if (t === undefined) return [];
  if (t.type !== 'plain_text' && (plainOnly || t.type !== 'mrkdwn'))
    return [`${where}: type ${String(t.type)}`];
  if (typeof t.text !== 'string' || t.text.length === 0) return [`${where}: empty text`];
  return t.text.length > max ? [`${where}: ${t.text.length} characters (max ${max})`] : [];
}

function blockProblems(block: AnyBlock, where: string): string[] {
  const b = block as unknown as Record<string, unknown>;
  switch (b.type) {
    case 'header':
      return b.text === undefined
        ? [`${where}: header without text`]
        : textProblems(b.text as TextObject, `${where}.text`, SLACK_LIMITS.headerText, true);
    case 'section': {
      const fields = b.fields as TextObject[] | undefined;
      const problems = [
        ...textProblems(b.text as TextObject | undefined, `${where}.text`, SLACK_LIMITS.sectionText),
      ];
      if (b.text === undefined && fields === undefined)
        problems.push(`${where}: section without text or fields`);
      if (fields !== undefined) {
        if (fields.length === 0 || fields.length > SLACK_LIMITS.fields) {
          problems.push(`${where}.fields: ${fields.length} fields (1 to ${SLACK_LIMITS.fields})`);
        }
        for (const [i, f] of fields.entries()) {
          problems.push(...textProblems(f, `${where}.fields[${i}]`, SLACK_LIMITS.fieldText));
        }
      }
      return problems;
    }
    case 'context': {
      const elements = (b.elements as TextObject[] | undefined) ?? [];
      const problems =
        elements.length === 0 || elements.length > SLACK_LIMITS.contextElements
          ? [`${where}.elements: ${elements.length} elements (1 to ${SLACK_LIMITS.contextElements})`]
          : [];
      for (const [i, e] of elements.entries()) {
        problems.push(...textProblems(e, `${where}.elements[${i}]`, SLACK_LIMITS.sectionText));
      }
      return problems;
    }
    case 'divider':
      return [];
    default:
      // The builder uses only the four above; anything else is a bug to catch in tests.
      return [`${where}: unexpected block type ${String(b.type)}`];
  }
}
