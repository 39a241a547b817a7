import { DomainError } from '../../core/errors.ts';
import { japaneseOf, said } from '../../core/messages.ts';
import type { CampaignStatus } from './notices.campaigns.model.ts';

/** What people do to a campaign; the worker's own steps (start, finish) are guarded the same way in the service. */
export type CampaignAction = 'edit' | 'publish' | 'pause' | 'resume' | 'cancel' | 'retry-failed' | 'end';

/**
 * From which statuses each action may be taken. A campaign is edited only before its first
 * mail (draft, or scheduled and not begun): once sending, a change would reach some customers
 * and not others, so it is refused whole (409) rather than applied half-way.
 */
export const allowedFrom: Record<CampaignAction, readonly CampaignStatus[]> = {
  edit: ['draft', 'scheduled'],
  publish: ['draft'],
  pause: ['sending'],
  resume: ['paused'],
  cancel: ['draft', 'scheduled', 'sending', 'paused'],
  'retry-failed': ['sending', 'paused', 'sent'],
  /** Takes the notice down now (its banner off the shop's pages); before it has all gone out, also a cancel. */
  end: ['scheduled', 'sending', 'paused', 'sent'],
};

const refusal = {
  edit: said('送信中・送信済み・取り消し済みのお知らせは編集できません。', 'a notice that is sending, sent or cancelled cannot be edited'),
  publish: said('下書きのお知らせだけを公開できます。', 'only a draft can be published'),
  pause: said('送信中のお知らせだけを一時停止できます。', 'only a notice that is sending can be paused'),
  resume: said('一時停止中のお知らせだけを再開できます。', 'only a paused notice can be resumed'),
  cancel: said('送信済み・取り消し済みのお知らせは取り消せません。', 'a notice already sent or cancelled cannot be cancelled'),
  'retry-failed': said('送信を始めたお知らせだけ、失敗した宛先に送り直せます。', 'only a notice that has begun sending can retry its failed recipients'),
  end: said('公開したお知らせだけ掲載を終了できます（下書きは削除か中止を、取り消し済みのものはすでに終了しています）。', 'only a published notice can be ended (a draft is cancelled instead; a cancelled one has ended already)'),
} satisfies Record<CampaignAction, string>;

const stale = said('このお知らせはほかの人が先に変更しました。読み込み直してください。', 'someone changed this notice first; reload it');

/** A 409 whose details carry the Japanese beside the English message, for a console in either language. */
const conflict = (en: string, details: Record<string, unknown>) => new DomainError('conflict', en, { ...details, ja: japaneseOf(en) });

/** The 409 of `action` from `status`. */
export const conflictOf = (action: CampaignAction, status: CampaignStatus) => conflict(refusal[action], { status, action, allowed: allowedFrom[action] });

/** The 409 of a change made against an older version than the stored one. */
export const staleVersion = (version: number) => conflict(stale, { version });

/** Throws 409 `conflict` unless `action` may be taken from `status`, by someone who saw `expected` (the stored version is `version`). */
export function assertAction(status: CampaignStatus, version: number, action: CampaignAction, expected: number): void {
  if (!allowedFrom[action].includes(status)) throw conflictOf(action, status);
  if (version !== expected) throw staleVersion(version);
}
