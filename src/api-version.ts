// Step 4 of the procedure (after the Dev Hub login): the API version every deploy and retrieve of the app uses. The
// Dev Hub's own newest version, capped at the newest this action knows; never older than the version that carries
// every field the action writes and reads (docs/platform-notes.md §27).
import type { Connection } from '@salesforce/core';
import { withRetry } from './retry.ts';

/** The newest version whose metadata fields this action was built against (Winter '27). */
export const NEWEST_KNOWN_API_VERSION = '68.0';
/**
 * The oldest version that carries every field the action writes: isEnforceRefreshTokenTTL (Spring '26, 66.0) is the
 * newest of them (docs/platform-notes.md §22).
 */
export const FIELDS_NEED_API_VERSION = '66.0';

export class ApiVersionError extends Error {
  override name = 'ApiVersionError';
}

const VERSION = /^\d{2,3}\.0$/;

/** The version to use, and why, from the org's newest one (as GET /services/data lists it). */
export function chooseApiVersion(orgNewest: string): { version: string; why: string } {
  // Org answer: a version string of documented shape, or nothing we use.
  if (!VERSION.test(orgNewest)) {
    return {
      version: NEWEST_KNOWN_API_VERSION,
      why: `the newest this action knows (the Dev Hub's answer was not a version)`,
    };
  }
  const n = Number(orgNewest);
  if (n < Number(FIELDS_NEED_API_VERSION)) {
    throw new ApiVersionError(
      `The Dev Hub's newest API version is ${orgNewest}, older than ${FIELDS_NEED_API_VERSION}, which the External Client App fields this action writes need ` +
        '(e.g. isEnforceRefreshTokenTTL). Use a Dev Hub on a current Salesforce release.',
    );
  }
  return n > Number(NEWEST_KNOWN_API_VERSION)
    ? {
        version: NEWEST_KNOWN_API_VERSION,
        why: `the newest this action knows; the Dev Hub offers ${orgNewest}`,
      }
    : { version: orgNewest, why: "the Dev Hub's newest" };
}

/** Asks the Dev Hub for its newest version, sets the chosen one on the connection and returns it. */
export async function useApiVersion(connection: Connection, log: (line: string) => void): Promise<string> {
  const newest = await withRetry(() => connection.retrieveMaxApiVersion(), {
    what: 'API versions of the Dev Hub',
    log,
  });
  const { version, why } = chooseApiVersion(newest);
  connection.setApiVersion(version);
  log(`Metadata API version ${version} (${why}).`);
  return version;
}
