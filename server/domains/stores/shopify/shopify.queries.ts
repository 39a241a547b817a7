/**
 * The Admin GraphQL documents madoguchi sends, each named (the operation name is what the test
 * stand-in answers by). The order fields are those shopify.shapes.ts reads.
 *
 * Page sizes follow Shopify's cost rules, not a wish: a query may ask for at most 1000 points,
 * and a connection costs 2 + its `first` times what each node asks for (each object a point),
 * so 100 orders with their lines, taxes and discounts in one page would ask for tens of
 * thousands. 10 orders of up to 5 lines each come to about 800; an order with more lines than
 * that is read again on its own (ORDER_QUERY asks for 80, about 800).
 */
export const ORDERS_PAGE = 10;
export const LINES_IN_PAGE = 5;
export const LINES_ALONE = 80;

const money = 'shopMoney { amount currencyCode }';
const address = 'firstName lastName zip provinceCode province city address1 address2 phone countryCodeV2';

const orderFields = (lines: number) => `
  id legacyResourceId name email phone createdAt processedAt updatedAt cancelledAt
  currencyCode taxesIncluded paymentGatewayNames discountCodes
  currentTotalPriceSet { ${money} }
  totalDiscountsSet { ${money} }
  customer { firstName lastName }
  shippingAddress { ${address} }
  billingAddress { ${address} }
  lineItems(first: ${lines}) {
    pageInfo { hasNextPage }
    nodes {
      id sku name quantity
      variant { id }
      originalUnitPriceSet { ${money} }
      taxLines { rate priceSet { ${money} } }
      discountAllocations { allocatedAmountSet { ${money} } }
    }
  }
  shippingLines(first: 3) {
    nodes {
      title
      originalPriceSet { ${money} }
      taxLines { rate priceSet { ${money} } }
      discountAllocations { allocatedAmountSet { ${money} } }
    }
  }
  fulfillments(first: 3) { createdAt deliveredAt status trackingInfo(first: 1) { company number } }`;

/** The shop, and what the token may do (madoguchi needs read_orders). */
export const SHOP_QUERY = `query ShopInfo { shop { name myshopifyDomain currencyCode } currentAppInstallation { accessScopes { handle } } }`;

/** Orders changed since a time, oldest change first, a page at a time (`query` is Shopify's search syntax). */
export const ORDERS_QUERY = `query OrdersSince($query: String!, $after: String) {
  orders(first: ${ORDERS_PAGE}, after: $after, sortKey: UPDATED_AT, query: $query) {
    pageInfo { hasNextPage endCursor }
    nodes { ${orderFields(LINES_IN_PAGE)} }
  }
}`;

export const ORDER_QUERY = `query OrderById($id: ID!) { order(id: $id) { ${orderFields(LINES_ALONE)} } }`;

export const WEBHOOK_CREATE = `mutation WebhookCreate($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri, format: JSON }) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}`;

export const WEBHOOK_DELETE = `mutation WebhookDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } }
}`;

/** The app's subscriptions (those pointing at a connection's receiver are removed at disconnect). */
export const WEBHOOKS_QUERY = `query Webhooks { webhookSubscriptions(first: 50) { nodes { id topic uri } } }`;

/** The topics madoguchi listens to, as GraphQL names them, and as their webhooks' X-Shopify-Topic says. */
export const webhookTopics = {
  ORDERS_CREATE: 'orders/create',
  ORDERS_UPDATED: 'orders/updated',
  ORDERS_CANCELLED: 'orders/cancelled',
  FULFILLMENTS_CREATE: 'fulfillments/create',
  FULFILLMENTS_UPDATE: 'fulfillments/update',
  APP_UNINSTALLED: 'app/uninstalled',
} as const;

/** A Shopify search value in quotes (a time has colons). */
export const updatedSince = (since: Date) => `updated_at:>='${since.toISOString()}'`;

export const orderGid = (id: string) => (id.startsWith('gid://') ? id : `gid://shopify/Order/${id}`);
