import { Alert, Button, Code, Image, List, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { errorMessage } from '@/lib/api/client';
import { t } from '@/i18n';
import { useTotpConfirm, useTotpSetup } from '../api/auth';

/** Two-factor enrolment: scan the QR code, confirm a code, keep the recovery codes. */
export function TwoFactorPage() {
  const navigate = useNavigate();
  const setup = useTotpSetup();
  const confirm = useTotpConfirm();
  const [code, setCode] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    confirm.mutate(code.trim());
  };

  if (confirm.data) {
    return (
      <Paper withBorder p="xl" maw={560} mx="auto" my="xl">
        <Stack>
          <Title order={1} size="h2">
            {t('twoFactor.doneTitle')}
          </Title>
          <Text>{t('twoFactor.recoveryHint')}</Text>
          <SimpleGrid cols={2} component="ul" aria-label={t('twoFactor.recoveryCodes')} style={{ listStyle: 'none', padding: 0 }}>
            {confirm.data.recoveryCodes.map((c) => (
              <li key={c}>
                <Code fz="md">{c}</Code>
              </li>
            ))}
          </SimpleGrid>
          <Button onClick={() => navigate('/', { replace: true })}>{t('twoFactor.continue')}</Button>
        </Stack>
      </Paper>
    );
  }

  return (
    <Paper withBorder p="xl" maw={560} mx="auto" my="xl">
      <Stack>
        <Title order={1} size="h2">
          {t('twoFactor.title')}
        </Title>
        <Text>{t('twoFactor.why')}</Text>
        {!setup.data ? (
          <Button onClick={() => setup.mutate()} loading={setup.isPending} w="fit-content">
            {t('twoFactor.start')}
          </Button>
        ) : (
          <form onSubmit={submit}>
            <Stack>
              <List type="ordered" spacing="xs">
                <List.Item>{t('twoFactor.step1')}</List.Item>
                <List.Item>{t('twoFactor.step2')}</List.Item>
              </List>
              <Image src={`data:image/svg+xml;utf8,${encodeURIComponent(setup.data.qrSvg)}`} alt={t('twoFactor.qrAlt')} w={200} h={200} />
              <Text size="sm">
                {t('twoFactor.secret')} <Code>{setup.data.secret}</Code>
              </Text>
              <TextInput
                label={t('signIn.otpCode')}
                value={code}
                onChange={(e) => setCode(e.currentTarget.value)}
                inputMode="numeric"
                autoComplete="one-time-code"
                required
              />
              <Button type="submit" loading={confirm.isPending} w="fit-content">
                {t('twoFactor.confirm')}
              </Button>
            </Stack>
          </form>
        )}
        {(setup.error ?? confirm.error) && (
          <Alert color="red" role="alert">
            {errorMessage(setup.error ?? confirm.error)}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
