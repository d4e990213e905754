import { Badge, Group, Paper, Select, SimpleGrid, Stack, Text, Title, Tree, type TreeNodeData } from '@mantine/core';
import { useState } from 'react';
import { EmptyState, QueryState } from '@/components/query-state';
import type { Schemas } from '@/lib/api/client';
import { useDepartments, useSites } from '@/lib/lookups';
import { t } from '@/i18n';
import { useLocationTree } from '../api/settings';

function toTree(nodes: Schemas['LocationNode'][]): TreeNodeData[] {
  return nodes.map((n) => ({ value: n.id, label: `${n.name} (${n.code})`, children: toTree(n.children) }));
}

/** Sites, their departments, and the tree of buildings, floors and rooms. */
export function OrganizationSettings() {
  const sites = useSites();
  const departments = useDepartments();
  const [siteId, setSiteId] = useState<string | null>(null);
  const site = siteId ?? sites.data?.items[0]?.id ?? null;
  const tree = useLocationTree(site);

  return (
    <QueryState isPending={sites.isPending} error={sites.error}>
      <Stack>
        <Select
          label={t('org.site')}
          data={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.code})` }))}
          value={site}
          onChange={setSiteId}
          w={320}
          allowDeselect={false}
        />
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="xs">
              {t('org.departments')}
            </Title>
            <Stack gap={4}>
              {(departments.data?.items ?? [])
                .filter((d) => d.siteId === site)
                .map((d) => (
                  <Group key={d.id} justify="space-between">
                    <Text size="sm">{d.name}</Text>
                    <Badge variant="light" color="gray.7">
                      {d.code}
                    </Badge>
                  </Group>
                ))}
            </Stack>
          </Paper>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="xs">
              {t('org.locations')}
            </Title>
            <QueryState isPending={tree.isPending} error={tree.error}>
              {(tree.data?.length ?? 0) === 0 ? <EmptyState title={t('org.noLocations')} /> : <Tree data={toTree(tree.data!)} levelOffset={20} />}
            </QueryState>
          </Paper>
        </SimpleGrid>
      </Stack>
    </QueryState>
  );
}
