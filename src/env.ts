// Imported first by the entry point: @salesforce/* read these when their modules load, so setting them any
// later is too late (a bundled pino file transport crashes; the keychain may shell out to secret-tool).
process.env.SF_DISABLE_LOG_FILE = 'true';
process.env.SF_USE_GENERIC_UNIX_KEYCHAIN = 'true';
process.env.SF_DISABLE_TELEMETRY = 'true';
process.env.SF_DISABLE_AUTOUPDATE = 'true';
// The packaging library would otherwise rewrite sfdx-project.json and query the new version's alias.
process.env.SF_PROJECT_AUTOUPDATE_DISABLE_FOR_PACKAGE_CREATE = 'true';
process.env.SF_PROJECT_AUTOUPDATE_DISABLE_FOR_PACKAGE_VERSION_CREATE = 'true';
