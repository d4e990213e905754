import { Badge } from '@mantine/core';
import { t, type MessageKey } from '@/i18n';
import type { Schemas } from '@/lib/api/client';
import { tone } from '@/lib/colors';

const STATUS_COLOR: Record<Schemas['StatusDto'], string> = {
  pending: tone.gray,
  assigned: tone.blue,
  in_progress: tone.cyan,
  on_hold: tone.orange,
  completed: tone.teal,
  closed: tone.green,
  cancelled: tone.dark,
};

const PRIORITY_COLOR: Record<Schemas['PriorityDto'], string> = {
  critical: tone.red,
  high: tone.orange,
  medium: tone.amber,
  low: tone.gray,
};

const SLA_COLOR: Record<Schemas['SlaStatusDto'], string> = {
  on_track: tone.green,
  at_risk: tone.orange,
  breached: tone.red,
  met: tone.teal,
};

export function StatusBadge({ status }: { status: Schemas['StatusDto'] }) {
  return (
    <Badge color={STATUS_COLOR[status]} variant="filled">
      {t(`status.${status}` as MessageKey)}
    </Badge>
  );
}

export function PriorityBadge({ priority }: { priority: Schemas['PriorityDto'] }) {
  return (
    <Badge color={PRIORITY_COLOR[priority]} variant="filled">
      {t(`priority.${priority}` as MessageKey)}
    </Badge>
  );
}

export function SlaBadge({ sla }: { sla: Schemas['SlaStatusDto'] }) {
  return (
    <Badge color={SLA_COLOR[sla]} variant="outline">
      {t(`sla.${sla}` as MessageKey)}
    </Badge>
  );
}
