import { Alert, Anchor, Button, Checkbox, FileInput, Modal, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, errorMessage, type Schemas } from '@/lib/api/client';
import { session } from '@/lib/auth/session';
import { downloadAuthed } from '@/lib/download';
import { t } from '@/i18n';

/** What a sheet holds and where it goes: the import and template URLs (under /api/v1). */
export interface SheetImport {
  title: string;
  hint: string;
  importPath: string;
  templatePath: string;
  templateName: string;
  /** The query keys whose data the import changes. */
  invalidates: string[];
}

/** Sends a CSV sheet: the report, or a 422 whose field errors name row and column. */
function useCsvImport(sheet: SheetImport) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ file, partial }: { file: File; partial: boolean }) => {
      const token = await session.accessToken();
      const res = await fetch(`/api/v1${sheet.importPath}?partial=${partial}`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: await file.text(),
      });
      const body = await res.json();
      if (!res.ok) throw new ApiError(res.status, body);
      return body as Schemas['ImportReport'];
    },
    onSuccess: () => Promise.all(sheet.invalidates.map((k) => qc.invalidateQueries({ queryKey: [k] }))),
  });
}

/** CSV import with the server's row-by-row error report. */
export function ImportDialog({ opened, onClose, sheet }: { opened: boolean; onClose: () => void; sheet: SheetImport }) {
  const [file, setFile] = useState<File | null>(null);
  const [partial, setPartial] = useState(false);
  const run = useCsvImport(sheet);
  const rowErrors =
    run.error instanceof ApiError && run.error.status === 422
      ? (run.error.problem?.errors ?? []).map((e) => ({ where: e.field, message: e.message }))
      : (run.data?.errors ?? []).map((e) => ({ where: `row ${e.row}: ${e.column}`, message: e.message }));

  return (
    <Modal opened={opened} onClose={onClose} title={sheet.title} size="xl">
      <Stack>
        <Text size="sm">
          {sheet.hint}{' '}
          <Anchor component="button" type="button" onClick={() => void downloadAuthed(`/api/v1${sheet.templatePath}`, sheet.templateName)}>
            {t('import.template')}
          </Anchor>
        </Text>
        <FileInput label={t('import.file')} accept=".csv,text/csv" value={file} onChange={setFile} clearable />
        <Checkbox label={t('import.partial')} checked={partial} onChange={(e) => setPartial(e.currentTarget.checked)} />
        <Button disabled={!file} loading={run.isPending} onClick={() => file && run.mutate({ file, partial })} w="fit-content">
          {t('import.run')}
        </Button>
        {run.data && (
          <Alert color="green" role="status">
            {t('import.done', { created: run.data.created, updated: run.data.updated, skipped: run.data.skipped })}
          </Alert>
        )}
        {run.error && !(run.error instanceof ApiError && run.error.status === 422) && (
          <Alert color="red" role="alert">
            {errorMessage(run.error)}
          </Alert>
        )}
        {rowErrors.length > 0 && (
          <>
            <Alert color="red" role="alert" title={run.data ? t('import.skippedRows') : t('import.nothingImported')}>
              {t('import.fixRows', { count: rowErrors.length })}
            </Alert>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('import.where')}</Table.Th>
                  <Table.Th>{t('import.problem')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rowErrors.map((e, i) => (
                  <Table.Tr key={i}>
                    <Table.Td>{e.where}</Table.Td>
                    <Table.Td>{e.message}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </>
        )}
      </Stack>
    </Modal>
  );
}
