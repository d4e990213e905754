import { Badge, Button, Group, Paper, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { QueryState } from '@/components/query-state';
import { useMe } from '@/lib/auth/use-me';
import { useSites } from '@/lib/lookups';
import { can } from '@/lib/permissions';
import { tone } from '@/lib/colors';
import { t } from '@/i18n';
import { DepartmentsPanel } from './departments-panel';
import { LocationsPanel } from './locations-panel';
import { SiteDialog } from './site-dialog';

/** Hospitals (sites), their departments and sections, and the tree of buildings, floors and
 * rooms. Editable by those who manage them; readable by everyone who opens settings. */
export function OrganizationSettings() {
  const me = useMe().data;
  const sites = useSites();
  const [siteId, setSiteId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'new' | 'edit' | null>(null);
  const current = sites.data?.items.find((s) => s.id === siteId) ?? sites.data?.items[0];

  return (
    <QueryState isPending={sites.isPending} error={sites.error}>
      <Stack>
        <Group align="end">
          <Select
            label={t('org.site')}
            data={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.code})` }))}
            value={current?.id ?? null}
            onChange={setSiteId}
            w={320}
            allowDeselect={false}
          />
          {current && can(me, 'site.manage') && (
            <Button variant="default" onClick={() => setDialog('edit')}>
              {t('org.editSiteButton')}
            </Button>
          )}
          {can(me, 'site.manage') && <Button onClick={() => setDialog('new')}>{t('org.addSite')}</Button>}
        </Group>
        {current && (
          <Paper withBorder p="sm">
            <Group gap="lg">
              <Text size="sm">
                {t('org.timeZone')}: <strong>{current.timeZone}</strong>
              </Text>
              {current.address && <Text size="sm">{current.address}</Text>}
              <Badge color={current.publicRequestsEnabled ? tone.green : tone.gray} variant="outline">
                {current.publicRequestsEnabled ? t('org.publicOn') : t('org.publicOff')}
              </Badge>
            </Group>
          </Paper>
        )}
        {current && (
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <DepartmentsPanel siteId={current.id} editable={can(me, 'department.manage')} />
            <LocationsPanel siteId={current.id} editable={can(me, 'location.manage')} />
          </SimpleGrid>
        )}
      </Stack>
      {dialog && (
        <SiteDialog
          key={dialog + (current?.id ?? '')}
          site={dialog === 'edit' ? current : undefined}
          opened
          onClose={() => setDialog(null)}
          onSaved={(s) => setSiteId(s.id)}
        />
      )}
    </QueryState>
  );
}
