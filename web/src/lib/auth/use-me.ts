import { useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { api, unwrap, type Schemas } from '../api/client';
import { session } from './session';

export type Me = Schemas['Me'];

/** Whether someone is signed in on this device; re-renders on sign-in and sign-out. */
export function useSignedIn(): boolean {
  return useSyncExternalStore(session.subscribe, () => session.signedIn());
}

/** The signed-in user and their permissions (kept for offline use like other reads). */
export function useMe() {
  const signedIn = useSignedIn();
  return useQuery({
    queryKey: ['me'],
    queryFn: () => unwrap(api.GET('/api/v1/auth/me')),
    enabled: signedIn,
    staleTime: 60_000,
  });
}
