import { z } from 'zod';
import type { ReturnActorRole } from './returns.model.ts';

/**
 * Where a refund paid by bank transfer goes (COD and transfer orders cannot be reversed). Bank
 * details are personal data: contractors and the customer's own pages see them masked, a
 * contractor reveals them with a written reason, and every unmasked read is audited.
 */
const kana = z
  .string()
  .transform((v) => v.normalize('NFKC').replace(/\s+/g, ' ').trim())
  .pipe(z.string().min(1).max(60).regex(/^[ァ-ヶー・ ()（）.]+$/u, '口座名義はカタカナで入力してください / the holder’s name in katakana, as the bank has it'));

export const bankAccountInput = z.strictObject({
  bankName: z.string().trim().min(1).max(40),
  branchName: z.string().trim().min(1).max(40),
  accountType: z.enum(['ordinary', 'current']).describe('普通 or 当座'),
  accountNumber: z
    .string()
    .transform((v) => v.normalize('NFKC').replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^\d{7}$/, '口座番号は7桁の数字です / the account number has 7 digits')),
  holderKana: kana,
});
export type BankAccountInput = z.output<typeof bankAccountInput>;

/** Masked for whoever may not see it whole: the bank and branch stay (they say nothing about the person). */
export const maskBankAccount = (b: BankAccountInput): BankAccountInput => ({
  ...b,
  accountNumber: `*****${b.accountNumber.slice(-2)}`,
  holderKana: `${[...b.holderKana][0] ?? ''}＊＊＊`,
});

/** Roles that see bank details whole without revealing them (the merchant and in-house agents). */
export const seesBankDetails = (role: ReturnActorRole) => role === 'owner' || role === 'staff' || role === 'agent';
