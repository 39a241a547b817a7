import { noticeChannels, type NoticeChannel } from '../../../../server/domains/returns/returns.model.ts';
import { useMessages } from '../../i18n.ts';

/** How a customer's notice (a request, or its withdrawal) reached the shop: mail, phone, chat, letter, other. Required. */
export function NoticeChannelSelect({ id, value, onChange, testId }: { id: string; value: NoticeChannel | ''; onChange: (c: NoticeChannel | '') => void; testId: string }) {
  const m = useMessages().returns;
  return (
    <select id={id} required value={value} onChange={(e) => onChange(e.target.value as NoticeChannel | '')} data-testid={testId}>
      <option value="">{m.actions.choose}</option>
      {noticeChannels.map((c) => (
        <option key={c} value={c}>
          {m.noticeChannel[c]}
        </option>
      ))}
    </select>
  );
}
