// How text leaves the process: every line and annotation the action writes goes through here, scrubbed by
// mask.ts's `redact`, with control characters made visible and nothing the runner could read as a workflow command.
// Callers use it as `import * as say from './log.ts'`.
import * as core from '@actions/core';
import { redact } from './mask.ts';

/** Control characters (and Unicode line/paragraph separators, invisible format characters) made visible. */
export function escapeControl(text: string, keep: RegExp = /(?!)/): string {
  return text.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (c) => {
    if (keep.test(c)) return c;
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u{${c.codePointAt(0)!.toString(16)}}`;
  });
}

/**
 * One line that is safe to write to the runner: secrets and access tokens scrubbed, no line break of any kind
 * (the runner also breaks lines at a bare \r), and not starting like a workflow command (`::name::`, `##[name]`).
 */
export function safeLine(text: string): string {
  const line = escapeControl(redact(text));
  return /^\s*(::|##\[)/.test(line) ? `> ${line}` : line;
}

/** A log line. */
export function info(line: string): void {
  core.info(safeLine(line));
}

/**
 * An annotation's text: scrubbed, every kind of line break turned into \n (which @actions/core sends as %0A, so
 * the runner shows a multi-line message and never reads its lines as commands), other control characters made
 * visible.
 */
export function safeAnnotation(text: string): string {
  return escapeControl(redact(text).replace(/\r\n?|[\u0085\u2028\u2029]/g, '\n'), /[\n\t]/);
}

/** A warning annotation. */
export function warning(text: string, properties?: core.AnnotationProperties): void {
  core.warning(safeAnnotation(text), properties && safeProperties(properties));
}

/** A notice annotation: a fact worth knowing that asks for no change. */
export function notice(text: string, properties?: core.AnnotationProperties): void {
  core.notice(safeAnnotation(text), properties && safeProperties(properties));
}

/** An error annotation. */
export function error(text: string, properties?: core.AnnotationProperties): void {
  core.error(safeAnnotation(text), properties && safeProperties(properties));
}

/** Fail the step with an error annotation. */
export function setFailed(text: string): void {
  core.setFailed(safeAnnotation(text));
}

export function debug(text: string): void {
  core.debug(safeLine(text));
}

function safeProperties(properties: core.AnnotationProperties): core.AnnotationProperties {
  return { ...properties, ...(properties.title !== undefined ? { title: safeLine(properties.title) } : {}) };
}
