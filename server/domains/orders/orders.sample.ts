/**
 * The sample order the console's first-run checklist shows in its `curl`: a real order body the
 * API accepts (a unit test parses it with the schema), sent as a dry run (`?dryRun=true`), so a
 * merchant who pastes it sees the key work and what the call answers, and no made-up order
 * lands in the shop's lists and figures. Plain data: the console imports it as it is.
 */
export const sampleOrderNumber = 'TEST-0001';

export const sampleOrder = {
  orderedAt: '2026-12-01T10:00:00+09:00',
  customer: { name: '山田 花子', email: 'hanako@example.jp', prefecture: '東京都' },
  lines: [{ sku: 'TSHIRT-M', name: 'Tシャツ M', quantity: 1, unitPrice: 3300, taxRate: 10 }],
  shippingFee: 550,
  paymentMethod: 'credit_card',
};

/** The shell command that puts the sample order in, with the key the merchant just made. */
export function sampleOrderCurl(baseUrl: string, shopId: string, key = '<API キー / API key>'): string {
  const body = JSON.stringify(sampleOrder).replace(/'/g, "'\\''");
  return [
    `curl -X PUT '${baseUrl}/api/shops/${shopId}/orders/${sampleOrderNumber}?dryRun=true' \\`,
    `  -H 'Authorization: Bearer ${key}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '${body}'`,
  ].join('\n');
}
