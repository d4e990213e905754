import { Alert, Anchor, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { errorMessage } from '@/lib/api/client';
import { t } from '@/i18n';
import { useLogin, useVerifyOtp, type LoginResponse } from '../api/auth';

/** Where to go once signed in: enrolment or a password change first, when the server asks. */
function next(r: LoginResponse, from: string): string {
  if (r.twoFactorEnrolmentRequired) return '/account/two-factor';
  if (r.mustChangePassword) return '/account/password';
  return from;
}

export function SignInPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const login = useLogin();
  const verify = useVerifyOtp();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (challenge) {
      const r = await verify.mutateAsync(
        useRecovery ? { challengeToken: challenge, recoveryCode: code.trim() } : { challengeToken: challenge, code: code.trim() },
      );
      navigate(next(r, from), { replace: true });
      return;
    }
    const r = await login.mutateAsync({ email: email.trim(), password });
    if (r.status === 'otp_required' && r.challengeToken) {
      setChallenge(r.challengeToken);
      return;
    }
    navigate(next(r, from), { replace: true });
  };

  const error = challenge ? verify.error : login.error;
  const busy = login.isPending || verify.isPending;

  return (
    <Center mih="100dvh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={400}>
        <form onSubmit={(e) => void submit(e).catch(() => undefined)} noValidate>
          <Stack>
            <div>
              <Title order={1} size="h2">
                {t('app.name')}
              </Title>
              <Text c="dimmed" size="sm">
                {challenge ? t('signIn.otpHint') : t('signIn.hint')}
              </Text>
            </div>
            {error && (
              <Alert color="red" role="alert" title={t('signIn.failed')}>
                {errorMessage(error)}
              </Alert>
            )}
            {challenge ? (
              <>
                <TextInput
                  label={useRecovery ? t('signIn.recoveryCode') : t('signIn.otpCode')}
                  value={code}
                  onChange={(e) => setCode(e.currentTarget.value)}
                  inputMode={useRecovery ? 'text' : 'numeric'}
                  autoComplete="one-time-code"
                  autoFocus
                  required
                />
                <Anchor component="button" type="button" size="sm" onClick={() => setUseRecovery((v) => !v)}>
                  {useRecovery ? t('signIn.useAuthenticator') : t('signIn.useRecovery')}
                </Anchor>
              </>
            ) : (
              <>
                <TextInput
                  label={t('signIn.email')}
                  type="email"
                  autoComplete="username"
                  value={email}
                  onChange={(e) => setEmail(e.currentTarget.value)}
                  required
                  autoFocus
                />
                <PasswordInput
                  label={t('signIn.password')}
                  autoComplete="current-password"
                  value={password}
                  onChange={(e) => setPassword(e.currentTarget.value)}
                  required
                />
              </>
            )}
            <Button type="submit" loading={busy} size="md">
              {challenge ? t('signIn.verify') : t('signIn.submit')}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
