import type { FieldErrors } from '../../fieldErrors.ts';

/** The messages at a path and everything under it ("weekly.1" takes "weekly.1.0.0"), once each. */
export const errorsUnder = (errors: FieldErrors, path: string) => [
  ...new Set([...errors].filter(([p]) => p === path || p.startsWith(`${path}.`)).flatMap(([, ms]) => ms)),
];
