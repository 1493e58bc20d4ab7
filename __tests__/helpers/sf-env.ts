// @salesforce/core writes auth files under $HOME and reads these variables once, when it first loads: a test file
// imports this module before anything that loads the library, so its logins stay in a throwaway home.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.HOME = mkdtempSync(join(tmpdir(), 'fake-org-home-'));
process.env.SF_DISABLE_LOG_FILE = 'true';
process.env.SF_USE_GENERIC_UNIX_KEYCHAIN = 'true';
