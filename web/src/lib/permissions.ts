import type { Me } from './auth/use-me';

/**
 * Permission names exactly as the server enforces them (hmms-domain `roles.rs`). The UI hides
 * what a role may not do; the server refuses it all the same.
 */
export type Permission =
  | 'organization.manage'
  | 'site.manage'
  | 'department.manage'
  | 'location.manage'
  | 'org.read'
  | 'user.read'
  | 'user.manage'
  | 'role.read'
  | 'role.manage'
  | 'audit.read'
  | 'settings.manage'
  | 'work_order.read'
  | 'work_order.request'
  | 'work_order.create'
  | 'work_order.assign'
  | 'work_order.execute'
  | 'work_order.approve_close'
  | 'sla.manage'
  | 'report.read'
  | 'asset.read'
  | 'asset.manage'
  | 'preventive.read'
  | 'preventive.manage'
  | 'inventory.read'
  | 'inventory.adjust';

export function can(me: Me | undefined, permission: Permission): boolean {
  return me?.permissions.includes(permission) ?? false;
}

const SETTINGS: Permission[] = [
  'organization.manage',
  'site.manage',
  'department.manage',
  'location.manage',
  'user.manage',
  'role.manage',
  'sla.manage',
  'settings.manage',
];

/** Settings are for those who manage something there; reading alone does not open them. */
export function canOpenSettings(me: Me | undefined): boolean {
  return SETTINGS.some((p) => can(me, p));
}

/**
 * Where a role starts: the dashboard for those who follow work across a place; *My work* for a
 * vendor, who sees only their own jobs; a start page of what they may open for roles that read
 * no work orders (procurement) — never a screen that answers "not allowed".
 */
export function homeOf(me: Me | undefined): 'dashboard' | 'assigned' | 'start' {
  if (!can(me, 'work_order.read')) return 'start';
  if (isFieldWorker(me) && !can(me, 'org.read')) return 'assigned';
  return 'dashboard';
}

/** The phone layout (bottom tabs) is the technician's and the vendor's home. */
export function isFieldWorker(me: Me | undefined): boolean {
  return can(me, 'work_order.execute') && !can(me, 'work_order.assign');
}
