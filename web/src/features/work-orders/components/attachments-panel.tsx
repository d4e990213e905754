import { Anchor, Button, FileButton, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { AuthImage } from '@/components/auth-image';
import { FileIcon } from '@/components/icons';
import { EmptyState, QueryState } from '@/components/query-state';
import { downloadAuthed } from '@/lib/download';
import { t, type MessageKey } from '@/i18n';
import { useAttachments } from '../api/work-orders';
import { tone } from '@/lib/colors';

export function AttachmentsPanel({
  workOrderId,
  canWrite,
  waiting,
  onAdd,
}: {
  workOrderId: string;
  canWrite: boolean;
  /** Photos taken here that wait to be sent. */
  waiting: number;
  onAdd: (file: File) => Promise<void>;
}) {
  const files = useAttachments(workOrderId);
  return (
    <Stack>
      {canWrite && (
        <Group>
          <FileButton onChange={(f) => f && void onAdd(f)} accept="image/jpeg,image/png,image/webp,application/pdf" capture="environment">
            {(props) => (
              <Button size="lg" variant="light" {...props}>
                {t('photos.add')}
              </Button>
            )}
          </FileButton>
          {waiting > 0 && (
            <Text size="sm" c={tone.orange} role="status">
              {t('photos.waiting', { count: waiting })}
            </Text>
          )}
        </Group>
      )}
      <QueryState isPending={files.isPending} error={files.error}>
        {(files.data ?? []).length === 0 ? (
          <EmptyState title={t('photos.empty')} />
        ) : (
          <SimpleGrid cols={{ base: 2, sm: 4 }}>
            {files.data!.map((a) => (
              <Stack key={a.id} gap={2}>
                {a.thumbnailUrl ? (
                  <AuthImage src={a.thumbnailUrl} alt={t('photos.alt', { name: a.fileName })} h={120} fit="cover" radius="sm" />
                ) : (
                  <FileIcon size={48} />
                )}
                <Anchor size="xs" component="button" type="button" onClick={() => void downloadAuthed(a.url, a.fileName)}>
                  {a.fileName}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {t(`attachmentKind.${a.kind}` as MessageKey)}
                </Text>
              </Stack>
            ))}
          </SimpleGrid>
        )}
      </QueryState>
    </Stack>
  );
}
