import { Badge } from '@mantine/core';
import { t, type MessageKey } from '@/i18n';
import type { Schemas } from '@/lib/api/client';

// Colours chosen for contrast with white text (WCAG AA at badge size).
const STATUS_COLOR: Record<Schemas['StatusDto'], string> = {
  pending: 'gray.7',
  assigned: 'blue.8',
  in_progress: 'cyan.9',
  on_hold: 'orange.9',
  completed: 'teal.9',
  closed: 'green.9',
  cancelled: 'dark.4',
};

const PRIORITY_COLOR: Record<Schemas['PriorityDto'], string> = {
  critical: 'red.9',
  high: 'orange.9',
  medium: 'yellow.9',
  low: 'gray.7',
};

const SLA_COLOR: Record<Schemas['SlaStatusDto'], string> = {
  on_track: 'green.9',
  at_risk: 'orange.9',
  breached: 'red.9',
  met: 'teal.9',
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
