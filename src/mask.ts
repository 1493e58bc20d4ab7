// The one place that knows which values are secret. Everything secret is registered here before it can reach
// a log line, an output or an error; `redact` scrubs text that is about to leave the process in our own words.
import * as core from '@actions/core';

// Kept on globalThis: the bundle splits into a light entry and a heavy org module, each with its own copy of
// this file, and both must know every secret.
const KEY = Symbol.for('eca-action.secrets');
const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
const secrets: Set<string> = (holder[KEY] ??= new Set<string>());

/** Mask a value in the runner's log (and each of its lines, and its common encodings) and remember it. */
export function maskSecret(value: string | undefined): void {
  if (!value) return;
  const forms = new Set<string>([value, value.trim()]);
  for (const line of value.split(/\r?\n/)) {
    // A PEM's armour lines are public; masking them would blank out harmless log text.
    if (line.trim().length >= 8 && !/^-----(BEGIN|END) /.test(line.trim())) forms.add(line.trim());
  }
  forms.add(encodeURIComponent(value));
  forms.add(Buffer.from(value, 'utf8').toString('base64'));
  for (const form of forms) {
    if (form.length < 4 || secrets.has(form)) continue;
    secrets.add(form);
    core.setSecret(form);
  }
}

/** Replace every known secret in `text` with `***`, longest first so that parts of a secret never survive. */
export function redact(text: string): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join('***');
  }
  return out;
}

/** Mask, then set: an output is never written before the runner knows to hide it. */
export function setSecretOutput(name: string, value: string): void {
  maskSecret(value);
  core.setOutput(name, value);
}
