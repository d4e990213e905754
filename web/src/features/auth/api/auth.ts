import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@/lib/api/client';
import { session } from '@/lib/auth/session';

export type LoginResponse = Schemas['LoginResponse'];

export function useLogin() {
  return useMutation({
    mutationFn: async (body: Schemas['LoginRequest']) => {
      const r = await unwrap(api.POST('/api/v1/auth/login', { body }));
      if (r.tokens) session.set(r.tokens);
      return r;
    },
  });
}

export function useVerifyOtp() {
  return useMutation({
    mutationFn: async (body: Schemas['VerifyOtpRequest']) => {
      const r = await unwrap(api.POST('/api/v1/auth/verify-otp', { body }));
      if (r.tokens) session.set(r.tokens);
      return r;
    },
  });
}

export function useTotpSetup() {
  return useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/auth/totp/setup')) });
}

export function useTotpConfirm() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (code: string) => {
      const r = await unwrap(api.POST('/api/v1/auth/totp/confirm', { body: { code } }));
      session.set(r.tokens);
      return r;
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['me'] }),
  });
}

export function useChangePassword() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas['ChangePassword']) => {
      const r = await unwrap(api.POST('/api/v1/auth/password', { body }));
      session.set(r);
      return r;
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['me'] }),
  });
}
