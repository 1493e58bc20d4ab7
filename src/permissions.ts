// Who may create the External Client App: the user permissions preflight checks, by their UserPermissionAccess
// field and the label Setup shows, written once so that preflight, README and docs/SECURITY.md name the same ones
// (a test holds them together). Rule and labels: docs/platform-notes.md §16.

export interface UserPermission {
  /** the field of UserPermissionAccess (and PermissionSet) */
  field: string;
  /** the label in Setup and in permission sets */
  label: string;
}

export const CUSTOMIZE_APPLICATION: UserPermission = {
  field: 'PermissionsCustomizeApplication',
  label: 'Customize Application',
};
export const MODIFY_ALL_DATA: UserPermission = { field: 'PermissionsModifyAllData', label: 'Modify All Data' };
export const ECA_DEVELOPER: UserPermission = {
  field: 'PermissionsExternalClientAppDeveloper',
  label: 'Create, edit, and delete External Client Apps',
};
export const ECA_ADMIN: UserPermission = {
  field: 'PermissionsExternalClientAppAdmin',
  label: 'View all External Client Apps, view their settings, and edit their policies',
};
export const VIEW_CLIENT_SECRET: UserPermission = {
  field: 'PermissionsViewClientSecret',
  label: 'View External Client App Consumer Secrets in Metadata',
};

/** Every permission preflight checks: README and docs/SECURITY.md list each label. */
export const CHECKED_PERMISSIONS = [
  CUSTOMIZE_APPLICATION,
  MODIFY_ALL_DATA,
  ECA_DEVELOPER,
  ECA_ADMIN,
  VIEW_CLIENT_SECRET,
] as const;

/** The user's effective permissions; a field the org did not answer is undefined (not known, not refused). */
export type Granted = Partial<Record<string, boolean>>;

const quote = (p: UserPermission): string => `"${p.label}"`;

/**
 * What the user lacks, as `<needed for>: <permissions>` lines, for the documented rule: Customize Application AND
 * (Modify All Data OR Create, edit, and delete External Client Apps); editing the app's policies: Modify All Data OR
 * View all External Client Apps…; with `requireSecret`, reading the consumer secret. Nothing is reported on a field
 * the org did not answer.
 */
export function missingPermissions(granted: Granted, opts: { requireSecret: boolean }): string[] {
  const lacks = (p: UserPermission): boolean => granted[p.field] === false;
  const missing: string[] = [];
  if (lacks(CUSTOMIZE_APPLICATION)) missing.push(`creating the app: ${quote(CUSTOMIZE_APPLICATION)}`);
  if (lacks(MODIFY_ALL_DATA) && lacks(ECA_DEVELOPER))
    missing.push(`creating the app: ${quote(ECA_DEVELOPER)} (or ${quote(MODIFY_ALL_DATA)})`);
  if (lacks(MODIFY_ALL_DATA) && lacks(ECA_ADMIN))
    missing.push(`the app's policies: ${quote(ECA_ADMIN)} (or ${quote(MODIFY_ALL_DATA)})`);
  if (opts.requireSecret && lacks(VIEW_CLIENT_SECRET))
    missing.push(`require-secret (reading the consumer secret): ${quote(VIEW_CLIENT_SECRET)}`);
  return missing;
}
