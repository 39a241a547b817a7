import { expect } from 'chai';
import { systemTrouble } from '../../../bots/slack/blocks/system.ts';
import { troubleAlertView } from '../../../server/domains/slack/slack.alerts.views.ts';
import { isSlackTopic } from '../../../server/domains/system/trouble.service.ts';

const shopId = '00000000-0000-4000-8000-000000000001';
const links = { baseUrl: 'https://desk.example.jp/' };

describe('the system trouble alert', () => {
  it('says which job fails, how many, since when (Tokyo), what to do, and links the object and the mail log, in the shop’s language first', () => {
    const ev = { kind: 'jobs_failing', topic: 'return.approved>return-customer-mail', object: { type: 'return', id: '00000000-0000-4000-8000-000000000002' }, count: 3, since: '2026-12-04T00:30:00.000Z' };
    const m = systemTrouble(troubleAlertView(links, shopId, ev), 'ja');
    expect(m.text).to.equal('自動処理の失敗が続いています / Background jobs are failing');
    const text = JSON.stringify(m.blocks);
    expect(text).to.include('返品についてのお客様へのメール / mail to the customer about a return').and.include('2026/12/04 09:30');
    expect(text).to.include(`https://desk.example.jp/console/shops/${shopId}/returns/00000000-0000-4000-8000-000000000002`);
    expect(text).to.include(`/console/shops/${shopId}/mail-log?status=failed`);
    expect(systemTrouble(troubleAlertView(links, shopId, ev), 'en').text).to.equal('Background jobs are failing / 自動処理の失敗が続いています');
  });

  it('names an unknown job by its topic, and a dependency back up with its outage from … to …', () => {
    const jobs = systemTrouble(troubleAlertView(links, shopId, { kind: 'jobs_failing', topic: 'something.new', count: 1, since: '2026-12-04T00:00:00Z' }), 'en');
    expect(JSON.stringify(jobs.blocks)).to.include('`something.new`');
    const db = systemTrouble(troubleAlertView(links, shopId, { kind: 'dependency_down', dependency: 'database', count: 0, since: '2026-12-04T00:00:00Z', until: '2026-12-04T00:20:00Z' }), 'ja');
    expect(db.text).to.equal('データベースが停止していました / The database was down');
    expect(JSON.stringify(db.blocks)).to.include('2026/12/04 09:00').and.include('2026/12/04 09:20').and.not.include('mail-log');
  });

  it('counts Slack’s own alert jobs and the trouble event’s listeners as Slack’s, nothing else', () => {
    for (const t of ['return.requested>slack-return-requested', 'system.trouble>slack-system-trouble', 'slack.alert.retry', 'system.trouble>anything']) expect(isSlackTopic(t), t).to.equal(true);
    for (const t of ['return.requested>return-customer-mail', 'mail.send', 'sla.check', 'message.created>reply-mail']) expect(isSlackTopic(t), t).to.equal(false);
  });
});
