/**
 * The rule for an API key's name, as plain code so the console can check the form with the same
 * rule the API's schema applies (plainText(apiKeyNameMax) in apikeys.routes.ts).
 */
export const apiKeyNameMax = 80;

/** What plainText(apiKeyNameMax) accepts: after trimming, 1 to 80 characters on one line, no control characters. */
export function isApiKeyName(name: string): boolean {
  const trimmed = name.trim();
  return trimmed.length >= 1 && trimmed.length <= apiKeyNameMax && /^[^\p{Cc}]*$/u.test(trimmed);
}
