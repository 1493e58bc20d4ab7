// How long the fake's asynchronous jobs take on the server. By default they take no time and end after a few
// status reads (fast tests). The realistic profile gives each job a server-side duration taken from public
// reports, scaled down by SCALE so that a benchmark round takes minutes, not the better part of an hour.
// A job then reports "in progress" until both its reads and its duration have passed.
//
// Sources (docs/platform-notes.md §19):
// - version build: 5–30 min; "Creating new package versions takes between 20-30 minutes" for a package with 8
//   dependencies (forcedotcom/cli#2970); the build runs in a scratch org created behind the scenes (Salesforce,
//   "When to Use Scratch Org Snapshots in Package Development"); the CLI polls it every 30 s
//   (salesforcecli/plugin-packaging#62, "Sleeping 30 seconds"). A one-app package without dependencies is at the
//   low end: 10 min.
// - replication: a new version is "not fully available" for some minutes after it was built
//   (forcedotcom/cli#1895, #2770; the CLI's --publish-wait): 2 min.
// - install: CI libraries wait up to 30 min for installs of large packages (claimvantage/sfdx-jenkins-shared-library
//   #113); one External Client App installs in a short while: 2 min (our choice within that range).
// - deploy of the app's four components: 30 s (our choice, no evidence of a measured figure).
// - validations within a build: with async validation the version is returned (request Status
//   PerformingValidations, installable) "before completing package validations" and they go on afterwards; with
//   skip validation they are not run (sf CLI reference, package version create; docs/platform-notes.md §30). How much
//   of a build they take is not published: half of it, 5 min (our choice). The action must not depend on the figure.

export interface JobDurations {
  /** a Metadata API deploy, from its creation */
  deployMs: number;
  /** a package version build, from the request's acceptance */
  versionBuildMs: number;
  /** a new version's replication (InstallValidationStatus PACKAGE_UNAVAILABLE), from the end of its build */
  replicationMs: number;
  /** a package install, from the install request's creation */
  installMs: number;
  /**
   * the validations' share of versionBuildMs: an async-validated version is installable after
   * versionBuildMs - validationMs and its validations end validationMs later; a skip-validation build takes
   * versionBuildMs - validationMs in all (our choice, see above)
   */
  validationMs: number;
}

export const SCALE = 10;

/** Real-org durations (see above), in ms. */
export const REAL_DURATIONS: JobDurations = {
  deployMs: 30_000,
  versionBuildMs: 10 * 60_000,
  replicationMs: 2 * 60_000,
  installMs: 2 * 60_000,
  validationMs: 5 * 60_000,
};

export const NO_DURATIONS: JobDurations = {
  deployMs: 0,
  versionBuildMs: 0,
  replicationMs: 0,
  installMs: 0,
  validationMs: 0,
};

/**
 * The realistic profile: the real durations divided by SCALE (deploy 3 s, build 60 s of which validations 30 s,
 * replication 12 s, install 12 s).
 */
export const REALISTIC: JobDurations = {
  deployMs: REAL_DURATIONS.deployMs / SCALE,
  versionBuildMs: REAL_DURATIONS.versionBuildMs / SCALE,
  replicationMs: REAL_DURATIONS.replicationMs / SCALE,
  installMs: REAL_DURATIONS.installMs / SCALE,
  validationMs: REAL_DURATIONS.validationMs / SCALE,
};

/** Whether a job that started at `startedAt` (epoch ms, or a Salesforce timestamp) is still running after `ms`. */
export function stillRunning(startedAt: number | string, ms: number): boolean {
  if (ms <= 0) return false;
  const start = typeof startedAt === 'number' ? startedAt : Date.parse(startedAt.replace(/\+0000$/, 'Z'));
  return Date.now() - start < ms;
}
