import { en, type Messages } from './en';

/**
 * The one i18n layer: every string the UI shows comes from a message catalogue. English is
 * complete; another language is a `Messages` object with the same keys (the compiler says which
 * are missing).
 */
const catalogues: Record<string, Messages> = { en };

let active: Messages = en;

export type MessageKey = keyof Messages;

export function setLanguage(lang: string) {
  active = catalogues[lang.split('-')[0] ?? 'en'] ?? en;
}

/** The message for `key`, with `{name}` placeholders filled from `vars`. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const text: string = active[key] ?? en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
