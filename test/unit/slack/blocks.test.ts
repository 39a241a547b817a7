import { expect } from 'chai';
import { returnAlert } from '../../../bots/slack/blocks/returns.ts';
import { merchantQuestion, slaAlert } from '../../../bots/slack/blocks/conversations.ts';
import { maskFreeText } from '../../../bots/slack/blocks/text.ts';
import type { ConversationAlertView, ReturnAlertView } from '../../../server/domains/slack/slack.alerts.views.ts';

const ret = (over: Partial<ReturnAlertView> = {}): ReturnAlertView => ({
  shopId: '00000000-0000-4000-8000-000000000001',
  id: '00000000-0000-4000-8000-000000000002',
  number: 42,
  kind: 'return',
  reason: 'changed_mind',
  status: 'needs_review',
  legalBasis: 'terms',
  refundTotal: 2750,
  orderNumber: 'T-1',
  customerName: '田中 太郎',
  comment: 'taro@example.jp / 090-1234-5678 / 〒150-0001 <b>',
  reviewReasons: ['outside_window'],
  lastMove: null,
  url: 'https://desk.example.jp/console/shops/x/returns/y',
  ...over,
});

const actions = (blocks: unknown[]) => blocks.flatMap((b) => ((b as { type: string }).type === 'actions' ? (b as { elements: Array<{ action_id: string }> }).elements.map((e) => e.action_id) : []));

describe('Slack Block Kit builders', () => {
  it('masks email addresses, phone numbers and postcodes in free text, and escapes Slack markup', () => {
    const s = maskFreeText('taro@example.jp か 090-1234-5678、〒150-0001 <@U1>');
    expect(s).not.to.include('taro@').and.not.to.include('1234-5678').and.not.to.include('150-0001').and.not.to.include('<@');
    expect(s).to.include('***-****-5678').and.include('&lt;@U1&gt;');
  });

  it('puts Approve / Reject / Open on a return waiting for a decision, in the shop’s language first', () => {
    const m = returnAlert('return_needs_review', ret(), 'ja');
    expect(actions(m.blocks)).to.deep.equal(['return.approve', 'return.reject', 'return.open']);
    expect(m.text).to.match(/^返品の確認が必要です \/ A return needs your decision/);
    expect(returnAlert('return_needs_review', ret(), 'en').text).to.match(/^A return needs your decision \/ 返品の確認が必要です/);
    expect(JSON.stringify(m)).not.to.include('taro@example.jp').and.not.to.include('090-1234-5678');
  });

  it('leaves only Open on a decided return and says who decided, and when (Tokyo time)', () => {
    const m = returnAlert('return_needs_review', ret({ status: 'approved', lastMove: { to: 'approved', by: '鈴木', at: new Date('2026-12-01T01:00:00Z'), note: null } }), 'ja');
    expect(actions(m.blocks)).to.deep.equal(['return.open']);
    expect(JSON.stringify(m.blocks)).to.include('鈴木').and.include('2026/12/01 10:00');
  });

  it('says in a question that replies stay internal, with no contact data', () => {
    const c: ConversationAlertView = { shopId: 's', id: 'c', number: 7, status: 'waiting_merchant', subject: '連絡先 hanako@example.jp', customerName: '佐藤 花子', assigneeName: null, url: 'https://x/y' };
    const m = merchantQuestion(c, { body: '090-1111-2222 に電話してよいですか', askedBy: 'agent' }, 'ja');
    const text = JSON.stringify(m);
    expect(text).to.include('社内メモ').and.include('internal notes').and.include('佐藤 花子');
    expect(text).not.to.include('hanako@').and.not.to.include('1111-2222');
  });

  it('offers Take and a people menu on an SLA alert, the menu’s block carrying the ticket as the listener reads it', () => {
    const c: ConversationAlertView = { shopId: '00000000-0000-4000-8000-000000000001', id: '00000000-0000-4000-8000-000000000003', number: 9, status: 'open', subject: null, customerName: '佐藤 花子', assigneeName: null, url: 'https://x/y' };
    const m = slaAlert('sla_breached', c, { metric: 'first_response', dueAt: '2026-12-01T01:00:00Z' }, 'ja');
    const block = m.blocks.find((b) => (b as { type: string }).type === 'actions') as { block_id: string; elements: Array<{ type: string; action_id: string }> };
    expect(block.elements.map((e) => [e.type, e.action_id])).to.deep.equal([['button', 'conversation.take'], ['users_select', 'conversation.assign']]);
    expect(JSON.parse(block.block_id)).to.deep.equal({ shopId: c.shopId, objectId: c.id, v: 'open' });
    expect(block.block_id.length).to.be.at.most(255);
    // Resolved: no buttons.
    expect(slaAlert('sla_breached', { ...c, status: 'resolved' }, { metric: 'first_response', dueAt: '2026-12-01T01:00:00Z' }, 'ja').blocks.some((b) => (b as { type: string }).type === 'actions')).to.equal(false);
  });
});
