import { expect } from 'chai';
import { jobIdFor } from '../../../server/core/outbox.dispatcher.ts';

describe('the BullMQ job id of an outbox row', () => {
  it('is outbox-<id> for a row without a dedupe key', () => {
    expect(jobIdFor({ id: 42, dedupeKey: null })).to.equal('outbox-42');
  });

  it('never contains a colon, which BullMQ refuses, and keeps distinct keys distinct', () => {
    const ids = ['sla:c-1:first', 'sla%3Ac-1%3Afirst', 'sla_c-1_first'].map((dedupeKey) => jobIdFor({ id: 1, dedupeKey }));
    expect(ids.every((id) => !id.includes(':'))).to.equal(true);
    expect(new Set(ids).size).to.equal(3);
  });

  it('is never an integer, which BullMQ also refuses', () => {
    expect(jobIdFor({ id: 1, dedupeKey: '123' })).to.equal('k-123');
  });
});
