import { useMessages } from '../../i18n.ts';
import type { Role } from '../../types.ts';
import '../../metrics.css';
import { QueueSection } from './QueueSection.tsx';
import { WorkLogSection } from './WorkLogSection.tsx';

/** 指標: the queue at a glance with its charts, and the month's work log for billing. */
export function MetricsPage({ shopId, role }: { shopId: string; role: Role }) {
  const m = useMessages().metrics;
  return (
    <>
      <h1 className="page-title">{m.title}</h1>
      <QueueSection shopId={shopId} />
      <WorkLogSection shopId={shopId} role={role} />
    </>
  );
}
