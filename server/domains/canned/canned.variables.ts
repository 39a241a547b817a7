/**
 * The variables a canned reply may use, as written in a template ({{customer.name}}). Kept apart
 * from canned.template.ts so the console can list them without bundling Handlebars; a unit test
 * holds this list and templateVariables() to the same names.
 */
export const cannedVariables = [
  'customer.name',
  'customer.email',
  'order.number',
  'order.orderedAt',
  'order.total',
  'order.trackingNumber',
  'order.carrier',
  'shop.name',
  'agent.name',
] as const;
export type CannedVariable = (typeof cannedVariables)[number];
