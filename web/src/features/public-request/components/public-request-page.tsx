import { Alert, Anchor, Button, Center, FileInput, Paper, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { QueryState } from '@/components/query-state';
import { ApiError, api, errorMessage, unwrap } from '@/lib/api/client';
import { t } from '@/i18n';

/** The page a room's or a piece of equipment's QR code opens: anyone can report a fault there
 * without signing in (where the hospital allows it). */
export function PublicRequestPage() {
  const { site = '', location = '', tag } = useParams();
  const place = useQuery({
    queryKey: ['public-place', site, location, tag],
    queryFn: () =>
      tag
        ? unwrap(api.GET('/api/v1/public/assets/{tag}', { params: { path: { tag } } }))
        : unwrap(api.GET('/api/v1/public/places/{site}/{location}', { params: { path: { site, location } } })),
    retry: false,
    meta: { persist: false },
  });
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [description, setDescription] = useState('');
  const [photo, setPhoto] = useState<File | null>(null);
  const send = useMutation({
    mutationFn: async () => {
      const form = new FormData();
      if (tag) {
        form.append('assetTag', tag);
      } else {
        form.append('siteCode', site);
        form.append('locationCode', location);
      }
      form.append('name', name.trim());
      if (phone.trim()) form.append('phone', phone.trim());
      form.append('description', description.trim());
      if (photo) form.append('photo', photo);
      const res = await fetch('/api/v1/public/requests', { method: 'POST', body: form });
      const body = await res.json();
      if (!res.ok) throw new ApiError(res.status, body);
      return body as { code: string; message: string };
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate();
  };

  return (
    <Center mih="100dvh" p="md" component="main">
      <Paper withBorder p="lg" w="100%" maw={480}>
        <QueryState isPending={place.isPending} error={place.error ? new Error(t(tag ? 'public.unknownAsset' : 'public.unknownPlace')) : null}>
          {send.data ? (
            <Stack>
              <Title order={1} size="h3">
                {t('public.thanks')}
              </Title>
              <Text>{send.data.message}</Text>
              <Text>
                {t('public.reference')} <strong data-testid="public-receipt">{send.data.code}</strong>
              </Text>
            </Stack>
          ) : (
            <form onSubmit={submit}>
              <Stack>
                <div>
                  <Title order={1} size="h3">
                    {t('public.title')}
                  </Title>
                  {place.data?.assetName && (
                    <Text fw={600}>
                      {place.data.assetName}{' '}
                      <Text span c="dimmed" size="sm">
                        {place.data.assetTag}
                      </Text>
                    </Text>
                  )}
                  <Text c="dimmed" size="sm">
                    {[place.data?.locationName, place.data?.siteName].filter(Boolean).join(' · ')}
                  </Text>
                </div>
                {send.error && (
                  <Alert color="red" role="alert">
                    {errorMessage(send.error)}
                  </Alert>
                )}
                <Textarea
                  label={t('public.what')}
                  value={description}
                  onChange={(e) => setDescription(e.currentTarget.value)}
                  required
                  autosize
                  minRows={3}
                  maxLength={2000}
                />
                <TextInput
                  label={t('public.name')}
                  value={name}
                  onChange={(e) => setName(e.currentTarget.value)}
                  required
                  maxLength={120}
                  autoComplete="name"
                />
                <TextInput label={t('public.phone')} value={phone} onChange={(e) => setPhone(e.currentTarget.value)} type="tel" autoComplete="tel" />
                <FileInput
                  label={t('public.photo')}
                  value={photo}
                  onChange={setPhoto}
                  accept="image/jpeg,image/png,image/webp"
                  clearable
                  placeholder={t('public.photoHint')}
                />
                <Button type="submit" size="md" loading={send.isPending} disabled={!name.trim() || !description.trim()}>
                  {t('public.submit')}
                </Button>
                <Anchor component={Link} to="/sign-in" state={{ from: tag ? `/a/${tag}` : '/' }} size="sm" ta="center">
                  {t('public.staffSignIn')}
                </Anchor>
              </Stack>
            </form>
          )}
        </QueryState>
        {place.error && (
          <Anchor component={Link} to="/sign-in" state={{ from: tag ? `/a/${tag}` : '/' }} size="sm" mt="md" display="block" ta="center">
            {t('public.staffSignIn')}
          </Anchor>
        )}
      </Paper>
    </Center>
  );
}
