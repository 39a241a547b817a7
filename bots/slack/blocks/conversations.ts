import type { KnownBlock } from '@slack/types';
import type { ConversationStatus } from '../../../server/domains/conversations/conversations.tables.ts';
import { conversationStatusLabel } from '../labels.ts';
import type { AlertLocale, ConversationAlertView } from '../../../server/domains/slack/slack.alerts.views.ts';
import { actionValue, both, context, escape, fields, header, maskFreeText, section, tokyoTime, type SlackMessage, type Words } from './text.ts';

const metricWords: Record<string, Words> = {
  first_response: ['初回返信', 'first response'],
  next_response: ['次の返信', 'next response'],
  resolution: ['解決', 'resolution'],
};


/** The console's words for a ticket's status (bots/slack/labels.ts). */
const conversationStatusWords = (s: string): Words => {
  const l = conversationStatusLabel[s as ConversationStatus];
  return l ? [l.ja, l.en] : [s, s];
};

function ticketFields(c: ConversationAlertView, locale: AlertLocale): KnownBlock {
  return fields([
    [both(locale, ['チケット', 'Ticket']), `<${c.url}|#${c.number}>`],
    [both(locale, ['状態', 'Status']), both(locale, conversationStatusWords(c.status))],
    [both(locale, ['お客様', 'Customer']), escape(c.customerName)],
    [both(locale, ['担当', 'Assignee']), c.assigneeName ? escape(c.assigneeName) : both(locale, ['未割り当て', 'unassigned'])],
    ...(c.subject ? [[both(locale, ['件名', 'Subject']), maskFreeText(c.subject, 150)] as [string, string]] : []),
  ]);
}

/**
 * Take (the clicking person becomes the assignee) and Assign (a people menu of the workspace: the
 * person picked must be linked to a member of the shop) while the ticket is still worked. The
 * people menu carries no value of its own: the block's id is the action value (bots/slack/listeners/conversations.ts).
 */
function ticketActions(c: ConversationAlertView, locale: AlertLocale): KnownBlock {
  const value = actionValue(c.shopId, c.id, c.status);
  return {
    type: 'actions',
    block_id: value,
    elements: [
      // Take while nobody has it (the alert is rebuilt in place once someone does); the menu reassigns.
      ...(c.assigneeName ? [] : [{ type: 'button' as const, action_id: 'conversation.take', text: { type: 'plain_text' as const, text: both(locale, ['担当する', 'Take']) }, value }]),
      { type: 'users_select', action_id: 'conversation.assign', placeholder: { type: 'plain_text', text: both(locale, ['担当者を選ぶ', 'Assign to']) } },
    ],
  };
}

/** The buttons while the ticket is still worked; none once resolved or closed (its link is in the fields). */
const actionsIfActive = (c: ConversationAlertView, locale: AlertLocale): KnownBlock[] => (c.status === 'resolved' || c.status === 'closed' ? [] : [ticketActions(c, locale)]);

export function slaAlert(kind: 'sla_at_risk' | 'sla_breached', c: ConversationAlertView, sla: { metric: string; dueAt: string }, locale: AlertLocale): SlackMessage {
  const title = `${both(locale, kind === 'sla_breached' ? ['SLA超過', 'SLA breached'] : ['SLA期限が迫っています', 'SLA at risk'])}: #${c.number}`;
  const metric = both(locale, metricWords[sla.metric] ?? [sla.metric, sla.metric]);
  return {
    text: title,
    blocks: [header(title), ticketFields(c, locale), context(`${metric} — ${both(locale, ['期限', 'due'])} ${tokyoTime(sla.dueAt)}`), ...actionsIfActive(c, locale)],
  };
}

export function csatLowAlert(c: ConversationAlertView, rating: number, locale: AlertLocale): SlackMessage {
  const title = `${both(locale, ['低評価のCSAT', 'Low CSAT'])} ${'★'.repeat(rating)}${'☆'.repeat(5 - rating)}: #${c.number}`;
  return { text: title, blocks: [header(title), ticketFields(c, locale), ...actionsIfActive(c, locale)] };
}

/**
 * The agent's question to the merchant, posted to open its thread: replies in the thread come
 * back to the ticket as internal notes (bots/slack/listeners/thread-replies.ts).
 */
export function merchantQuestion(c: ConversationAlertView, q: { body: string; askedBy: string }, locale: AlertLocale): SlackMessage {
  const title = `${both(locale, ['ショップへの質問', 'A question for the shop'])}: #${c.number}`;
  return {
    text: title,
    blocks: [
      header(title),
      section(`*${escape(q.askedBy)}*: ${maskFreeText(q.body, 2000)}`),
      ticketFields(c, locale),
      context(both(locale, ['このスレッドへの返信はチケットの社内メモになります（お客様には送られません）', 'Replies in this thread become internal notes on the ticket (never sent to the customer)'])),
    ],
  };
}
