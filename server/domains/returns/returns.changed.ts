import type { ReturnEventName } from '../../events/catalog.ts';
import type { ReturnStatus } from './returns.model.ts';

/** What the console hears when a return changes (`return:changed`): enough to know which rows and pages to read again, nothing personal. */
export interface ReturnChanged {
  shopId: string;
  returnId: string;
  number: number;
  status: ReturnStatus;
  /** The event, e.g. `return.approved`. */
  event: ReturnEventName;
  at: string;
}
