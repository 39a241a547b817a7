/**
 * The code a shop's developer copies to sign a customer's identity token on their server: what
 * server/domains/conversations/widget.identity.ts verifies (`v1.<base64url(JSON claims)>.<base64url(
 * HMAC-SHA256(secret, "v1." + claims part))>`). test/unit/console/identityExample.test.ts runs this
 * very text in Node and has the verifier accept its token, so the example cannot drift from it.
 */
export const signingExample = `import { createHmac, randomUUID } from 'node:crypto';

// The secret shown once in madoguchi's settings; keep it on your server only.
const secret = process.env.MADOGUCHI_WIDGET_SECRET;

// A fresh token for each page a signed-in customer opens (good for 10 minutes, one chat session).
export function madoguchiIdentityToken(customer) {
  const claims = {
    sub: String(customer.id), // the customer's id in your shop
    email: customer.email, // optional: leave undefined when unknown
    name: customer.name, // optional
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(), // a token starts one session, once
  };
  const body = 'v1.' + Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', secret).update(body).digest('base64url');
  return body + '.' + signature;
}
`;

/** The widget's tag with the token in it, as the shop's page template writes it. */
export const identityTag = (origin: string, shopId: string) =>
  `<script src="${origin}/widget.js" data-shop-id="${shopId}" data-identity-token="<%= madoguchiIdentityToken(customer) %>" async></script>`;
