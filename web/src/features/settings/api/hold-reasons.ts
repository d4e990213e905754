/** `Awaiting biomedical engineer` → `awaiting_biomedical_engineer`: the stable key a new reason is
 * stored and reported under. */
export function codeOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return /^[a-z]/.test(slug) ? slug : `reason_${slug}`.slice(0, 40);
}
