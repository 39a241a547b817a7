import { expect } from 'chai';
import { toForm, toVariables } from '../../../agent-console/src/components/notices/templates/variables.ts';
import { noticeTypeList } from '../../../server/domains/notices/notices.templates.service.ts';

describe('the notice variables form', () => {
  for (const t of noticeTypeList().types) {
    it(`gives back the ${t.type} samples unchanged after a round trip through the form`, () => {
      expect(toVariables(t.variables, toForm(t.variables, t.sample))).to.deep.equal(t.sample);
    });
  }

  it('leaves out empty fields, reads times as Tokyo time and keeps a list item without English as a string', () => {
    const specs = noticeTypeList().types.find((t) => t.type === 'weather')!.variables;
    const form = toForm(specs, {});
    form.event = { ja: '台風10号', en: '' };
    form.next_update_at = '2026-09-01T09:30';
    form.regions = { ja: '沖縄県\n鹿児島県', en: 'Okinawa' };
    expect(toVariables(specs, form)).to.deep.equal({ event: '台風10号', next_update_at: '2026-09-01T09:30:00+09:00', regions: [{ ja: '沖縄県', en: 'Okinawa' }, '鹿児島県'] });
  });
});
