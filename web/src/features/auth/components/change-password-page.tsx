import { Alert, Button, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { errorMessage } from '@/lib/api/client';
import { t } from '@/i18n';
import { useChangePassword } from '../api/auth';

export function ChangePasswordPage() {
  const navigate = useNavigate();
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const tooShort = next.length > 0 && next.length < 12;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await change.mutateAsync({ currentPassword: current, newPassword: next });
    navigate('/', { replace: true });
  };

  return (
    <Paper withBorder p="xl" maw={460} mx="auto" my="xl">
      <form onSubmit={(e) => void submit(e).catch(() => undefined)}>
        <Stack>
          <Title order={1} size="h2">
            {t('password.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('password.hint')}
          </Text>
          {change.error && (
            <Alert color="red" role="alert">
              {errorMessage(change.error)}
            </Alert>
          )}
          <PasswordInput
            label={t('password.current')}
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.currentTarget.value)}
            required
          />
          <PasswordInput
            label={t('password.new')}
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.currentTarget.value)}
            error={tooShort ? t('password.tooShort') : undefined}
            required
          />
          <Button type="submit" loading={change.isPending} disabled={next.length < 12}>
            {t('password.submit')}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
