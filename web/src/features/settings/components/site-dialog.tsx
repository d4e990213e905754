import { Alert, Button, Modal, Select, Stack, Switch, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import { errorMessage, fieldErrors } from '@/lib/api/client';
import { t } from '@/i18n';
import { useCreateSite, useUpdateSite, type Site } from '../api/org';

const ZONES = Intl.supportedValuesOf('timeZone');

/** Adds a hospital (site) or changes one: name, code, time zone, address, and whether anyone
 * may report faults there by QR code without signing in. */
export function SiteDialog({ site, opened, onClose, onSaved }: { site?: Site; opened: boolean; onClose: () => void; onSaved?: (s: Site) => void }) {
  const create = useCreateSite();
  const update = useUpdateSite();
  const save = site ? update : create;
  const [name, setName] = useState(site?.name ?? '');
  const [code, setCode] = useState(site?.code ?? '');
  const [timeZone, setTimeZone] = useState<string | null>(site?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [address, setAddress] = useState(site?.address ?? '');
  const [publicRequests, setPublicRequests] = useState(site?.publicRequestsEnabled ?? false);
  const errors = fieldErrors(save.error);

  const submit = () => {
    const body = { name: name.trim(), code: code.trim(), timeZone: timeZone ?? '', address: address.trim() || null, publicRequestsEnabled: publicRequests };
    const done = {
      onSuccess: (s: Site) => {
        onSaved?.(s);
        onClose();
      },
    };
    if (site) update.mutate({ id: site.id, body: { ...body, version: site.version } }, done);
    else create.mutate(body, done);
  };

  return (
    <Modal opened={opened} onClose={onClose} title={site ? t('org.editSite', { name: site.name }) : t('org.addSite')}>
      <Stack>
        {save.error && !Object.keys(errors).length && (
          <Alert color="red" role="alert">
            {errorMessage(save.error)}
          </Alert>
        )}
        <TextInput label={t('org.siteName')} value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={160} error={errors.name} />
        <TextInput
          label={t('org.code')}
          description={t('org.siteCodeHint')}
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          required
          maxLength={32}
          error={errors.code}
        />
        <Select label={t('org.timeZone')} data={ZONES} value={timeZone} onChange={setTimeZone} searchable allowDeselect={false} error={errors.timeZone} />
        <Textarea label={t('org.address')} value={address} onChange={(e) => setAddress(e.currentTarget.value)} autosize minRows={2} error={errors.address} />
        <Switch
          label={t('org.publicRequests')}
          description={t('org.publicRequestsHint')}
          checked={publicRequests}
          onChange={(e) => setPublicRequests(e.currentTarget.checked)}
        />
        <Button onClick={submit} loading={save.isPending} disabled={!name.trim() || !code.trim() || !timeZone}>
          {t('action.save')}
        </Button>
      </Stack>
    </Modal>
  );
}
