import { Badge } from '@mantine/core';
import type { Schemas } from '@/lib/api/client';
import { tone } from '@/lib/colors';
import { t, type MessageKey } from '@/i18n';

const COLOR: Record<Schemas['InstanceStatusDto'], string> = {
  scheduled: tone.gray,
  generated: tone.blue,
  completed_on_time: tone.green,
  completed_late: tone.orange,
  missed: tone.red,
};

/** How an occurrence of preventive work stands. */
export function InstanceStatusBadge({ status }: { status: Schemas['InstanceStatusDto'] }) {
  return (
    <Badge color={COLOR[status]} variant={status === 'scheduled' ? 'outline' : 'filled'}>
      {t(`pmStatus.${status}` as MessageKey)}
    </Badge>
  );
}

export const STATUS_COLOR = COLOR;
