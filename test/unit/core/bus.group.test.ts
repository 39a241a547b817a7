import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { DomainBus } from '../../../server/core/bus.ts';

const tick = () => new Promise((r) => setImmediate(r));

describe('DomainBus.group', () => {
  it("removes the group's listeners, of live and committed events, at off(), and only those", async () => {
    const bus = new DomainBus();
    const heard: string[] = [];
    const group = bus.group();
    group.on('presence.changed', () => void heard.push('group presence'));
    group.onEvent(['sla.at_risk', 'sla.breached'], (e) => void heard.push(`group ${e.name}`));
    bus.on('presence.changed', () => void heard.push('other presence'));
    const presence = { shopId: randomUUID(), userId: randomUUID(), name: '佐藤' };
    const sla = (name: 'sla.at_risk' | 'sla.breached') => ({ name, id: randomUUID(), at: new Date().toISOString(), payload: { shopId: randomUUID(), conversationId: randomUUID(), metric: 'first_response', dueAt: new Date().toISOString() } }) as never;

    bus.publish('presence.changed', presence);
    bus.publishEvent(sla('sla.breached'));
    await tick();
    await tick();
    expect(heard.sort()).to.deep.equal(['group presence', 'group sla.breached', 'other presence']);

    heard.length = 0;
    group.off();
    bus.publish('presence.changed', presence);
    bus.publishEvent(sla('sla.at_risk'));
    await tick();
    await tick();
    expect(heard).to.deep.equal(['other presence']);
  });
});
