import type { Me } from './auth/use-me';

/** The work-order filter for "my work": a vendor's work is assigned to its company (any of its
 * engineers may do it), anyone else's to them. */
export function myWork(me: Me | undefined): { assignedTo?: string; vendorCompanyId?: string } {
  if (!me) return {};
  return me.user.vendorCompanyId ? { vendorCompanyId: me.user.vendorCompanyId } : { assignedTo: me.user.id };
}
