import { z } from 'zod';
import { say } from './returns.messages.ts';
import type { ReturnActorRole } from './returns.model.ts';

/**
 * Where a refund paid by bank transfer goes (COD and transfer orders cannot be reversed). Bank
 * details are personal data: contractors and the customer's own pages see them masked, a
 * contractor reveals them with a written reason, and every unmasked read is audited.
 */
const kana = z
  .string({ error: say('holderKana') })
  .transform((v) => v.normalize('NFKC').replace(/\s+/g, ' ').trim())
  .pipe(z.string().min(1, say('holderKana')).max(60, say('holderKana')).regex(/^[ァ-ヶー・ ()（）.]+$/u, say('holderKana')));
const name = (key: 'bankName' | 'branchName') => z.string({ error: say(key) }).trim().min(1, say(key)).max(40, say(key));

export const bankAccountInput = z.strictObject({
  bankName: name('bankName'),
  branchName: name('branchName'),
  accountType: z.enum(['ordinary', 'current']).describe('普通 or 当座'),
  accountNumber: z
    .string({ error: say('accountNumber') })
    .transform((v) => v.normalize('NFKC').replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^\d{7}$/, say('accountNumber'))),
  holderKana: kana,
});
export type BankAccountInput = z.output<typeof bankAccountInput>;

/**
 * How long the account is kept once its purpose is served (APPI §21 purpose, and no longer than
 * it needs): days after the refund completed, or after the request ended without one. The
 * portal's form states it, and a daily job deletes what is due.
 */
export const BANK_RETENTION_DAYS = 90;

/** Masked for whoever may not see it whole: the bank and branch stay (they say nothing about the person). */
export const maskBankAccount = (b: BankAccountInput): BankAccountInput => ({
  ...b,
  accountNumber: `*****${b.accountNumber.slice(-2)}`,
  holderKana: `${[...b.holderKana][0] ?? ''}＊＊＊`,
});

/** Roles that see bank details whole without revealing them (the merchant and in-house agents). */
export const seesBankDetails = (role: ReturnActorRole) => role === 'owner' || role === 'staff' || role === 'agent';
