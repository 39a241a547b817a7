import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import { conflict, isDomainError, notFound } from '../../../server/core/errors.ts';
import { rejectionCodesFor, rejectionFactsOf } from '../../../server/domains/returns/returns.machine.ts';
import { rejectionCodes, type RejectionCode } from '../../../server/domains/returns/returns.model.ts';
import { findReturn, listTransitions, type ReturnRow } from '../../../server/domains/returns/returns.repository.ts';
import { moveReturn } from '../../../server/domains/returns/returns.transitions.ts';
import { slackClientFor } from '../../../server/domains/slack/slack.client.ts';
import type { SlackBotDeps } from '../deps.ts';
import { rejectionLabel, returnStatusLabel } from '../labels.ts';
import type { Person } from '../people.ts';
import type { Said } from '../reply.ts';
import { tokyoTime } from '../words.ts';
import { act, interactionOf, readValue, type ButtonValue } from './act.ts';

/**
 * Approve and Reject on a return alert, through the console's own moveReturn: the same role
 * checks, refund limit, state guard and audit trail. A return someone already decided is not
 * moved again: the person is told who decided it and when.
 */
export function registerReturnActions(app: App, deps: SlackBotDeps): void {
  app.action<BlockAction<ButtonAction>>('return.approve', async ({ ack, body, action }) => {
    await ack();
    const i = interactionOf(body);
    await act(deps, i, readValue(action.value), (actor, v) => approve(deps, actor, v, i.requestId));
  });
  app.action<BlockAction<ButtonAction>>('return.reject', async ({ ack, body, action }) => {
    await ack();
    const i = interactionOf(body);
    await act(deps, i, readValue(action.value), (actor, v) => openRejectModal(deps, actor, v, body));
  });
  app.view<ViewSubmitAction>('return.reject.submit', async ({ ack, body, view }) => {
    const meta = readMeta(view.private_metadata);
    const code = view.state.values.reason?.code?.selected_option?.value as RejectionCode | undefined;
    const note = view.state.values.note?.text?.value?.trim() || undefined;
    // Checked before the ack, so a missing reason is shown in the modal instead of closing it.
    if (!code || !rejectionCodes.includes(code)) {
      await ack({ response_action: 'errors', errors: { reason: '理由を選んでください / Choose a reason' } });
      return;
    }
    await ack();
    const i = interactionOf(body, meta?.responseUrl, meta?.channelId);
    await act(deps, i, meta?.value, (actor, v) => reject(deps, actor, v, code, note, i.requestId));
  });
}

/** Who decided a return that no longer waits for a decision, and when. */
async function decided(deps: SlackBotDeps, r: ReturnRow): Promise<Said> {
  const history = await listTransitions(deps.db, r.shopId, r.id);
  const d = [...history].reverse().find((t) => t.fromStatus === 'needs_review');
  const now = returnStatusLabel[r.status];
  if (!d) return { ja: `返品 #${r.number} はいま「${now.ja}」で、判断を待っていません。操作は行いませんでした。`, en: `Return #${r.number} is ${now.en} now and is not waiting for a decision. Nothing was done.` };
  const what = d.event === 'approve' ? { ja: '承認', en: 'approved' } : d.event === 'reject' ? { ja: '却下', en: 'rejected' } : { ja: '取り消し', en: 'canceled' };
  const at = tokyoTime(d.createdAt);
  return {
    ja: `返品 #${r.number} は ${d.actorName} さんが ${at} にすでに${what.ja}しました（いまは「${now.ja}」）。操作は行いませんでした。`,
    en: `Return #${r.number} was already ${what.en} by ${d.actorName} at ${at} (Japan time); it is ${now.en} now. Nothing was done.`,
  };
}

async function waitingReturn(deps: SlackBotDeps, actor: Person, v: ButtonValue): Promise<ReturnRow | Said> {
  const r = await findReturn(deps.db, actor.shopId, v.objectId);
  if (!r) throw notFound('return');
  return r.status === 'needs_review' ? r : decided(deps, r);
}

/** The move, and on a race lost (someone decided meanwhile) who won it. */
async function decide(deps: SlackBotDeps, actor: Person, r: ReturnRow, move: () => Promise<unknown>): Promise<Said | undefined> {
  try {
    await move();
    return undefined;
  } catch (e) {
    if (isDomainError(e) && e.code === 'conflict') return decided(deps, (await findReturn(deps.db, actor.shopId, r.id))!);
    throw e;
  }
}

async function approve(deps: SlackBotDeps, actor: Person, v: ButtonValue, requestId: string): Promise<Said> {
  const r = await waitingReturn(deps, actor, v);
  if (!('id' in r)) return r;
  const lost = await decide(deps, actor, r, () => moveReturn(deps.db, { kind: 'staff', actor }, r.id, { event: 'approve', expectedStatus: 'needs_review' }, { sink: deps.sink, requestId }));
  return lost ?? { ja: `返品 #${r.number} を承認しました。`, en: `Return #${r.number} approved.` };
}

async function reject(deps: SlackBotDeps, actor: Person, v: ButtonValue, code: RejectionCode, note: string | undefined, requestId: string): Promise<Said> {
  const r = await waitingReturn(deps, actor, v);
  if (!('id' in r)) return r;
  const body = { event: 'reject' as const, expectedStatus: 'needs_review' as const, reasonCode: code, ...(note ? { note: note.slice(0, 2000) } : {}) };
  const lost = await decide(deps, actor, r, () => moveReturn(deps.db, { kind: 'staff', actor }, r.id, body, { sink: deps.sink, requestId }));
  const label = rejectionLabel[code];
  return lost ?? { ja: `返品 #${r.number} を却下しました（理由：${label.ja}）。`, en: `Return #${r.number} rejected (${label.en}).` };
}

interface RejectMeta {
  value: ButtonValue;
  responseUrl?: string;
  channelId?: string;
}
function readMeta(raw: string): RejectMeta | undefined {
  try {
    const m = JSON.parse(raw) as { value?: unknown; responseUrl?: string; channelId?: string };
    const value = readValue(JSON.stringify(m.value));
    return value ? { value, responseUrl: m.responseUrl, channelId: m.channelId } : undefined;
  } catch {
    return undefined;
  }
}

/** The reason picker: only the reasons that fit this return's legal basis (as the console offers them). */
async function openRejectModal(deps: SlackBotDeps, actor: Person, v: ButtonValue, body: BlockAction): Promise<Said | null> {
  const r = await waitingReturn(deps, actor, v);
  if (!('id' in r)) return r;
  const c = await slackClientFor(deps, actor.shopId);
  if (!c) throw conflict('not connected');
  const codes = rejectionCodesFor(rejectionFactsOf(r));
  const meta: RejectMeta = { value: v, responseUrl: body.response_url, channelId: body.channel?.id };
  await c.client.views.open({
    trigger_id: body.trigger_id,
    view: {
      type: 'modal',
      callback_id: 'return.reject.submit',
      private_metadata: JSON.stringify(meta),
      title: { type: 'plain_text', text: `返品 #${r.number} の却下` },
      submit: { type: 'plain_text', text: '却下する / Reject' },
      close: { type: 'plain_text', text: 'やめる / Cancel' },
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `返品 #${r.number} を却下します。理由はお客様へのメールでお伝えします。\nReject return #${r.number}. The customer is told the reason by mail.` } },
        {
          type: 'input',
          block_id: 'reason',
          label: { type: 'plain_text', text: '理由 / Reason' },
          element: { type: 'static_select', action_id: 'code', options: codes.map((code) => ({ text: { type: 'plain_text', text: `${rejectionLabel[code].ja} / ${rejectionLabel[code].en}` }, value: code })) },
        },
        {
          type: 'input',
          block_id: 'note',
          optional: true,
          label: { type: 'plain_text', text: 'お客様へ伝える理由 / Reason the customer is told' },
          element: { type: 'plain_text_input', action_id: 'text', multiline: true, max_length: 2000 },
        },
      ],
    },
  });
  return null;
}

