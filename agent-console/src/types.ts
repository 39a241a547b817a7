/**
 * The API's shapes, taken from the server's own zod schemas (type-only imports: nothing of
 * the server ends up in the bundle).
 */
import type { z } from 'zod';
import type { sessionView } from '../../server/domains/auth/auth.schema.ts';
import type { shopView } from '../../server/domains/shops/shops.schema.ts';
import type { acceptBody, publicInvitationView } from '../../server/domains/invitations/invitations.schema.ts';
import type { ErrorBody } from '../../server/core/http.ts';
import type { cannedView } from '../../server/domains/canned/canned.schema.ts';
import type { orderView, MaskableField } from '../../server/domains/orders/orders.schema.ts';
import type { inboxQuery } from '../../server/domains/conversations/conversations.schema.ts';
import type { QueueMetricsDto } from '../../server/domains/conversations/conversations.metrics.ts';
import type { AgentWork, WorkLogReport } from '../../server/domains/worklog/worklog.dto.ts';
import type { refusedDeliveryBody } from '../../server/domains/returns/returns.refused.ts';
import type {
  exchangeItemInput,
  fileReturnBody,
  moveReturnBody,
  ReasonsReportDto,
  ReturnDto,
  ReturnListDto,
  ReturnListItemDto,
  RevealedBankAccountDto,
} from '../../server/domains/returns/returns.schema.ts';
import type { ReturnTermsDto } from '../../server/domains/returns/returns.terms.schema.ts';

export type SessionView = z.infer<typeof sessionView>;
export type Membership = SessionView['memberships'][number];
export type Role = Membership['role'];
export type ShopView = z.infer<typeof shopView>;
export type ErrorCode = ErrorBody['error']['code'];
export type InvitationView = z.infer<typeof publicInvitationView>;
/** A new account's name and password, or {} when accepting signed in. */
export type AcceptInvitationBody = z.input<typeof acceptBody>;

/* ---------- chat: the socket contract and the REST answers around it ---------- */

export type {
  AttachmentDto,
  ConversationActivity,
  ConversationDto,
  ConversationPatch,
  ConversationStatus,
  InboxPage,
  MessageDto,
  MyQueueConversationDto,
  MyQueuePage,
  Priority,
  SyncAnswer,
} from '../../server/domains/conversations/conversations.dto.ts';
export type {
  AgentClientEvents,
  AgentServerEvents,
  PresenceStatus,
  Viewer,
} from '../../server/domains/conversations/conversations.socket.events.ts';
export type { MaskableField };
export type CannedReply = z.infer<typeof cannedView>;
export type OrderView = z.infer<typeof orderView>;
/** The inbox filters the server understands (limit and cursor are the page's business). */
export type InboxFilter = Omit<z.input<typeof inboxQuery>, 'limit' | 'before'>;
export interface AgentView {
  userId: string;
  name: string;
  role: Role;
  status: 'online' | 'away' | 'offline';
}

/* ---------- metrics and the work log ---------- */

/** The "now" counts the metrics page shows. */
export type NowCount = keyof QueueMetricsDto['now'];
export type QueueMetrics = QueueMetricsDto;
export type SlaCompliance = QueueMetrics['sla'][number];
export type SlaMetric = SlaCompliance['metric'];
export type CsatSummary = QueueMetrics['csat'];
export type DailyCount = QueueMetrics['daily'][number];
export type { AgentWork, WorkLogReport };

/* ---------- returns: requests, their terms and the reasons report ---------- */

export type {
  LegalBasis,
  RejectionCode,
  ReturnEvent,
  ReturnKind,
  ReturnReason,
  ReturnStatus,
  CustomerChoiceReason,
  DeductionKind,
} from '../../server/domains/returns/returns.model.ts';
/** One return as the API answers it: the view plus the bank details (masked for contractors). */
export type ReturnView = ReturnDto;
export type ReturnPhoto = ReturnView['photos'][number];
export type ReturnBankAccount = NonNullable<ReturnView['bankAccount']>;
/** The whole bank details a contractor sees after giving a reason (never masked). */
export type RevealedBankAccount = RevealedBankAccountDto['bankAccount'];
/** What the console sends to file a return on the customer's behalf (with when their notice came). */
export type FileReturnInput = z.input<typeof fileReturnBody>;
/** What the console sends to record a refused delivery (受け取り拒否). */
export type RefusedDeliveryInput = z.input<typeof refusedDeliveryBody>;
export type { RefundBreakdown } from '../../server/domains/returns/returns.money.ts';
export type { PolicyCheck } from '../../server/domains/returns/returns.policy.ts';
export type { ReturnTerms, ReturnTermsInput } from '../../server/domains/returns/returns.terms.schema.ts';
export type ReturnList = ReturnListDto;
export type ReturnListItem = ReturnListItemDto;
/** What the console sends to move a return (the server checks the rest). */
export type MoveReturnInput = z.input<typeof moveReturnBody>;
export type ExchangeItemInput = z.input<typeof exchangeItemInput>;
export type ReturnTermsView = ReturnTermsDto;
export type TermsVersion = ReturnTermsView['versions'][number];
export type ReasonsReport = ReasonsReportDto;
export type ReasonsProduct = ReasonsReport['products'][number];
export type { ReturnChanged } from '../../server/domains/returns/returns.changed.ts';
