import { z } from 'zod';
import { orderNumber } from '../orders/orders.schema.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { bankAccountInput } from './returns.bank.ts';
import { say } from './returns.messages.ts';
import { noticeChannels, rejectionCodes, returnEvents, requestKinds, returnReasons, returnStatuses } from './returns.model.ts';

const yen = z.number().int('expected whole yen').min(0).max(100_000_000);

export const returnItemInput = z.strictObject({
  lineNo: z.number().int().min(1).max(500),
  quantity: z.number({ error: say('quantity') }).int(say('quantity')).min(1, say('quantity')).max(10_000, say('quantity')),
});

export const exchangeItemInput = z.strictObject({
  sku: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  quantity: z.number().int().min(1).max(10_000),
  unitPrice: yen.describe('yen, tax included'),
  taxRate: z.union([z.literal(10), z.literal(8)]),
});

const askFields = {
  kind: z.enum(requestKinds).default('return'),
  reason: z.enum(returnReasons),
  items: z
    .array(returnItemInput)
    .min(1, say('noItem'))
    .max(500)
    .superRefine((items, ctx) => {
      const seen = new Set<number>();
      items.forEach((it, i) => {
        if (seen.has(it.lineNo)) ctx.addIssue({ code: 'custom', path: [i, 'lineNo'], message: say('lineTwice') });
        seen.add(it.lineNo);
      });
    }),
  conditionsConfirmed: z.boolean().default(false).describe('the customer confirms the terms’ conditions (unopened, tags attached)'),
  exchange: z.array(exchangeItemInput).min(1).max(50).optional().describe('for an exchange: what the customer receives; by default the same products at the same prices'),
  comment: z.string().trim().max(2000).optional(),
  bankAccount: bankAccountInput.optional().describe('where a bank-transfer refund goes (COD and transfer orders); the portal asks for it'),
};

const exchangeOnlyForExchanges = (b: { kind: string; exchange?: unknown }, ctx: z.RefinementCtx) => {
  if (b.exchange && b.kind !== 'exchange') ctx.addIssue({ code: 'custom', path: ['exchange'], message: 'exchange items need kind "exchange"' });
};

/** Filed by a person of the shop or by the shop's API key. */
export const fileReturnBody = z
  .strictObject({
    orderNumber,
    ...askFields,
    goodwill: z.boolean().default(false).describe('take it back beyond what the terms owe (the shop’s decision); not for contractors'),
    noticeReceivedAt: z.iso
      .datetime({ offset: true, message: 'expected a date and time with its offset, such as 2026-12-08T21:30:00+09:00' })
      .optional()
      .describe('filing on the customer’s behalf: when their notice (mail, phone, chat, letter) reached the shop. The window is judged at this time (到達主義, 民法 §97); not in the future, not before the order. Default: now'),
    noticeChannel: z.enum(noticeChannels).optional().describe('how that notice came; required with noticeReceivedAt'),
  })
  .superRefine(exchangeOnlyForExchanges)
  .superRefine((b, ctx) => {
    if (b.noticeReceivedAt && !b.noticeChannel) ctx.addIssue({ code: 'custom', path: ['noticeChannel'], message: say('noticeChannel') });
  });
export type FileReturnBody = z.output<typeof fileReturnBody>;

export const previewReturnBody = fileReturnBody;

export const returnParams = shopIdParams.extend({ returnId: z.uuid({ message: 'expected a return id' }) });

export const moveReturnBody = z
  .strictObject({
    event: z.enum(returnEvents),
    expectedStatus: z.enum(returnStatuses).optional().describe('the status the caller saw; another status answers 409'),
    reasonCode: z.enum(rejectionCodes).optional(),
    note: z.string().trim().min(1).max(2000).optional(),
    carrier: z.string().trim().min(1).max(64).optional(),
    trackingNumber: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{4,40}$/, 'expected a tracking number of letters, digits and "-"')
      .optional(),
    withdrawalReceivedAt: z.iso
      .datetime({ offset: true, message: 'expected a date and time with its offset, such as 2026-12-08T21:30:00+09:00' })
      .optional()
      .describe(
        'with "cancel" by the shop: when the customer’s own withdrawal (mail, phone, chat, letter) reached the shop. Required, with withdrawalChannel and a note, to cancel a statutory cancellation or a claim on the shop’s fault, which stand once made (民法 §540②): the shop only records the customer’s withdrawal',
      ),
    withdrawalChannel: z.enum(noticeChannels).optional().describe('how the customer’s withdrawal came; goes with withdrawalReceivedAt'),
  })
  .superRefine((b, ctx) => {
    if ((b.withdrawalReceivedAt || b.withdrawalChannel) && b.event !== 'cancel') ctx.addIssue({ code: 'custom', path: [b.withdrawalReceivedAt ? 'withdrawalReceivedAt' : 'withdrawalChannel'], message: say('withdrawalOnlyOnCancel') });
    else if (b.withdrawalReceivedAt && !b.withdrawalChannel) ctx.addIssue({ code: 'custom', path: ['withdrawalChannel'], message: say('withdrawalChannel') });
    else if (b.withdrawalChannel && !b.withdrawalReceivedAt) ctx.addIssue({ code: 'custom', path: ['withdrawalReceivedAt'], message: say('withdrawalReceivedAt') });
    if (b.event === 'ship' && !b.trackingNumber) ctx.addIssue({ code: 'custom', path: ['trackingNumber'], message: 'shipping needs the tracking number' });
    if (b.reasonCode && b.event !== 'reject') ctx.addIssue({ code: 'custom', path: ['reasonCode'], message: 'a reason code goes with "reject" only' });
    if (b.event === 'refund_failed' && !b.note) ctx.addIssue({ code: 'custom', path: ['note'], message: `"${b.event}" needs a note saying why` });
  });
export type MoveReturnBody = z.output<typeof moveReturnBody>;

export const listReturnsQuery = z.strictObject({
  status: z
    .string()
    .max(400)
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(returnStatuses)).max(returnStatuses.length))
    .optional()
    .describe('comma-separated statuses'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  before: z.coerce.number().int().min(1).optional().describe('nextBefore of the previous page'),
});

export const revealBankBody = z.strictObject({
  reason: z.string().trim().min(5, 'say why in a few words (at least 5 characters)').max(500),
});
