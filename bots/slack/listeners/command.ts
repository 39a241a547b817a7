import type { App, SlashCommand } from '@slack/bolt';
import { returnSummary, shopNames, shopsOfChannel, shopStatus, ticketSummary } from '../../../server/domains/slack/slack.status.ts';
import type { SlackBotDeps } from '../deps.ts';
import { escape, maskFreeText, yen } from '../blocks/text.ts';
import { conversationStatusLabel, returnStatusLabel } from '../labels.ts';
import { actorFor } from '../people.ts';
import { replyEphemeral, type Said } from '../reply.ts';
import { tokyoTime, words } from '../words.ts';

/**
 * `/madoguchi status | ticket <number> | return <number> | help`, answered only to the person
 * who typed it. A shop's name may follow (`/madoguchi status 山田商店`) where the workspace
 * serves several shops and the channel is not one of a single shop's alert channels.
 */
export type Command = { what: 'help'; unknown?: boolean } | { what: 'status'; shop: string } | { what: 'ticket' | 'return'; number: number; shop: string };

export function parseCommand(text: string): Command {
  const [verb = '', ...rest] = text.trim().split(/\s+/).filter(Boolean);
  const v = verb.toLowerCase();
  if (v === '' || v === 'help') return { what: 'help' };
  if (v === 'status') return { what: 'status', shop: rest.join(' ') };
  if (v === 'ticket' || v === 'return') {
    const m = /^#?(\d{1,9})$/.exec(rest[0] ?? '');
    if (!m) return { what: 'help', unknown: true };
    return { what: v, number: Number(m[1]), shop: rest.slice(1).join(' ') };
  }
  return { what: 'help', unknown: true };
}

export const helpText: Said = {
  ja: [
    '*/madoguchi の使い方*',
    '`/madoguchi status` … 対応中のチケット、SLA 期限が近いもの、判断待ちの返品の数',
    '`/madoguchi ticket 128` … チケット #128 の概要',
    '`/madoguchi return 42` … 返品 #42 の概要',
    '複数のショップがつながったワークスペースでは、最後にショップ名を付けてください（例：`/madoguchi status 山田商店`）。',
  ].join('\n'),
  en: [
    '*Using /madoguchi*',
    '`/madoguchi status`: open tickets, SLAs at risk, returns waiting for a decision',
    '`/madoguchi ticket 128`: a summary of ticket #128',
    '`/madoguchi return 42`: a summary of return #42',
    'Where the workspace serves several shops, add the shop’s name at the end (`/madoguchi status Yamada Shop`).',
  ].join('\n'),
};
const notUnderstood: Said = { ja: `入力を理解できませんでした。\n${helpText.ja}`, en: `That was not understood.\n${helpText.en}` };

export function registerCommand(app: App, deps: SlackBotDeps): void {
  app.command('/madoguchi', async ({ ack, body }) => {
    await ack();
    const reply = (said: Said) => replyEphemeral(deps, { responseUrl: body.response_url, channelId: body.channel_id, userId: body.user_id }, said);
    const cmd = parseCommand(body.text ?? '');
    if (cmd.what === 'help') return reply(cmd.unknown ? notUnderstood : helpText);
    try {
      const shop = await shopFor(deps, body, cmd.shop);
      if (typeof shop !== 'string') return reply(shop);
      const actor = await actorFor(deps, { body, teamId: body.team_id, slackUserId: body.user_id, shopId: shop });
      if (!('kind' in actor)) return reply(actor);
      if (cmd.what === 'status') return reply(await statusSaid(deps, shop));
      return reply(cmd.what === 'ticket' ? await ticketSaid(deps, shop, cmd.number) : await returnSaid(deps, shop, cmd.number));
    } catch (e) {
      deps.logger.error({ err: (e as Error).message, teamId: body.team_id }, 'slack: /madoguchi failed');
      return reply(words.failed);
    }
  });
}

/** The shop a command is about: named, the only one, or the one whose alerts go to this channel. */
async function shopFor(deps: SlackBotDeps, body: SlashCommand, named: string): Promise<string | Said> {
  const shopIds = deps.verifiedOf(body)?.shopIds ?? [];
  if (!shopIds.length) return words.noShop;
  const names = await shopNames(deps.db, shopIds);
  if (named) {
    const want = named.normalize('NFKC').toLowerCase();
    const hit = names.filter((s) => s.name.normalize('NFKC').toLowerCase() === want);
    if (hit.length === 1) return hit[0]!.id;
  } else {
    if (shopIds.length === 1) return shopIds[0]!;
    const byChannel = await shopsOfChannel(deps.db, shopIds, body.channel_id);
    if (byChannel.length === 1) return byChannel[0]!;
  }
  const list = names.map((s) => `• ${s.name}`).join('\n');
  return {
    ja: `${named ? `「${named}」というショップは見つかりませんでした。` : 'このワークスペースには複数のショップがつながっています。'}最後にショップ名を付けてください（例：\`/madoguchi status ${names[0]?.name ?? ''}\`）。\n${list}`,
    en: `${named ? `No shop is called “${named}”. ` : 'This workspace serves several shops. '}Add the shop’s name at the end (\`/madoguchi status ${names[0]?.name ?? ''}\`).`,
  };
}

async function statusSaid(deps: SlackBotDeps, shopId: string): Promise<Said> {
  const s = await shopStatus(deps.db, shopId);
  return {
    ja: `対応中のチケット：${s.open}件（ショップの回答待ち ${s.waitingMerchant}件）\nSLA 期限が近い：${s.slaAtRisk}件、期限切れ：${s.slaBreached}件\n判断待ちの返品：${s.returnsWaiting}件、返金失敗：${s.refundsFailed}件`,
    en: `Open tickets: ${s.open} (waiting on the merchant: ${s.waitingMerchant})\nSLAs at risk: ${s.slaAtRisk}, breached: ${s.slaBreached}\nReturns waiting for a decision: ${s.returnsWaiting}, refunds failed: ${s.refundsFailed}`,
  };
}

const slaWords = { ok: ['期限内', 'on time'], at_risk: ['期限が近い', 'at risk'], breached: ['期限切れ', 'breached'], none: ['なし', 'none'] } as const;

async function ticketSaid(deps: SlackBotDeps, shopId: string, number: number): Promise<Said> {
  const t = await ticketSummary(deps.db, shopId, number);
  if (!t) return { ja: `チケット #${number} は見つかりませんでした。`, en: `There is no ticket #${number}.` };
  const st = conversationStatusLabel[t.status];
  const due = t.sla.dueAt ? `（${tokyoTime(new Date(t.sla.dueAt))}）` : '';
  // The subject as the alerts show it: phone numbers, postcodes and emails masked, Slack's markup escaped.
  const subject = maskFreeText(t.subject, 150);
  const assignee = t.assignee?.name ? escape(t.assignee.name) : undefined;
  const customer = t.customer.name ? escape(t.customer.name) : '—';
  const order = t.orderNumber ? escape(t.orderNumber) : undefined;
  return {
    ja: `*#${t.number}* ${subject || '（件名なし）'}\n状態：${st.ja}　優先度：${t.priority}　担当：${assignee ?? '未割り当て'}\nお客様：${customer}${order ? `　注文：${order}` : ''}\nSLA：${slaWords[t.sla.state][0]}${due}`,
    en: `*#${t.number}* ${subject || '(no subject)'}\nStatus: ${st.en}  Priority: ${t.priority}  Assignee: ${assignee ?? 'unassigned'}\nCustomer: ${customer}${order ? `  Order: ${order}` : ''}\nSLA: ${slaWords[t.sla.state][1]}${due}`,
  };
}

async function returnSaid(deps: SlackBotDeps, shopId: string, number: number): Promise<Said> {
  const r = await returnSummary(deps.db, shopId, number);
  if (!r) return { ja: `返品 #${number} は見つかりませんでした。`, en: `There is no return #${number}.` };
  const st = returnStatusLabel[r.status];
  const refund = yen(r.refundTotal);
  return {
    ja: `*返品 #${r.number}*（${r.kind}・${r.legalBasis}）\n状態：${st.ja}　返金額：${refund}\n注文：${escape(r.orderNumber)}　お客様：${escape(r.customerName)}\n受付：${tokyoTime(r.createdAt)}`,
    en: `*Return #${r.number}* (${r.kind}, ${r.legalBasis})\nStatus: ${st.en}  Refund: ${refund}\nOrder: ${escape(r.orderNumber)}  Customer: ${escape(r.customerName)}\nFiled: ${tokyoTime(r.createdAt)} (Japan time)`,
  };
}
