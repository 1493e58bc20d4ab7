// GitHub's rule for Actions secret names, in one place: the input check (settings.ts) refuses a bad name before
// any call, the store step (github-secret.ts) checks again before it writes, and the summary names the companion
// `<name>_SECRET` only for a name of this shape. Each caller words its own message.

/** Letters, digits and underscores, not starting with a digit. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What is wrong with `name` as a secret name: `characters` (not SECRET_NAME), `reserved` (GITHUB_…), or undefined. */
export function secretNameProblem(name: string): 'characters' | 'reserved' | undefined {
  if (!SECRET_NAME.test(name)) return 'characters';
  // GitHub keeps names starting with GITHUB_ (any case) for its own secrets.
  if (/^GITHUB_/i.test(name)) return 'reserved';
  return undefined;
}
