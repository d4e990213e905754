/**
 * The colours of status badges and alerts. Each has a contrast of at least 4.5:1 with white text
 * and, used as text, with a white page (WCAG 2.2 AA for small text), which several of the
 * default palette's brighter shades (yellow, orange, green) do not.
 */
export const tone = {
  red: '#b91c1c',
  orange: '#c2410c',
  amber: '#a16207',
  green: '#15803d',
  teal: '#0f766e',
  cyan: '#155e75',
  blue: '#1d4ed8',
  gray: '#4b5563',
  dark: '#1f2937',
} as const;
