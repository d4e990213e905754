import { Image, Skeleton, type ImageProps } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { session } from '@/lib/auth/session';

/** An image behind the API's authorisation (an `<img>` cannot send the bearer token). */
export function AuthImage({ src, alt, ...props }: { src: string; alt: string } & ImageProps) {
  const blob = useQuery({
    queryKey: ['blob', src],
    queryFn: async () => {
      const token = await session.accessToken();
      const res = await fetch(src, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
      if (!res.ok) throw new Error(String(res.status));
      return res.blob();
    },
    staleTime: Infinity,
    // Blobs are not kept in the offline copy.
    meta: { persist: false },
  });
  const url = useMemo(() => (blob.data ? URL.createObjectURL(blob.data) : null), [blob.data]);
  useEffect(
    () => () => {
      if (url) URL.revokeObjectURL(url);
    },
    [url],
  );
  if (!url) return <Skeleton w={props.w ?? 160} h={props.h ?? 120} />;
  return <Image src={url} alt={alt} {...props} />;
}
