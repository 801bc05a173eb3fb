/*
 * The authenticated caller, loaded from the token and checked against the database on every request
 * (lib/http/app.ts). What a caller may do never depends on a name a clinic can edit: clinic
 * administration is the role's fixed `code` ('admin'), platform staff is a permission on the user.
 */
export interface Actor {
  userId: number;
  reflexoId: number | null;
  isSuperuser: boolean;
  isStaff: boolean;
  /** The role's display name (editable by platform staff); never used for a permission. */
  role: string | null;
  /** The user's role has the fixed code 'admin': administers their own clinic. */
  isClinicAdmin: boolean;
  /** Superuser, or holds the `architect.view_all_tenants` permission: sees every clinic, writes shared rows. */
  isPlatform: boolean;
  jti: string;
  tokenExp: number;
}

export const PLATFORM_PERMISSION = 'architect.view_all_tenants';

/** A clinic administrator (of their own clinic) or a superuser. */
export const isAdmin = (a: Actor | null): boolean => !!a && (a.isSuperuser || a.isClinicAdmin);

/** May write rows every clinic shares (global catalogs, roles, diagnoses, locations). */
export const isPlatform = (a: Actor | null): boolean => !!a && (a.isSuperuser || a.isPlatform);
