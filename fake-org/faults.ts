// Fault injection, per route name (see RequestLogEntry.route for the names). Tests and benchmarks arm rules;
// the server asks `take(route)` once per request when it knows which route answers.
//
// Route patterns: an exact name ('soap.deploy'), a prefix ending in '*' ('soap.*', 'tooling.query.*'), or '*'.
// Counting: a rule sees every call of its route from the moment it is armed; `nth` picks the first affected call
// (1 = the next one) and `times` how many calls from there on (Infinity = all).

export type FaultAction =
  | { kind: 'error'; status: number; message?: string }
  | { kind: 'drop' }
  /** the org does the work, then the connection drops: the client never hears that it succeeded */
  | { kind: 'lose' }
  | { kind: 'delay'; ms: number };

export interface FaultRule {
  route: string;
  action: FaultAction;
  nth: number;
  times: number;
  /** calls of the route seen since the rule was armed */
  seen: number;
  /** calls it affected */
  hits: number;
}

export interface FaultOptions {
  /** the first call to affect, counting from 1 = the next call (default 1) */
  nth?: number;
  /** how many calls to affect from there on (default 1; delay defaults to Infinity) */
  times?: number;
}

export interface FaultApi {
  /** Answer with an HTTP error (5xx by default): a JSON error list on REST, a SOAP fault on SOAP, an OAuth error on the token endpoint. */
  fail(route: string, opts?: FaultOptions & { status?: number; message?: string }): FaultRule;
  /** Destroy the connection without an answer (the client sees a socket error). */
  drop(route: string, opts?: FaultOptions): FaultRule;
  /**
   * "Processed, answer lost": the handler runs (a POST creates what it creates), then the connection is destroyed,
   * as when a proxy or the network drops the answer of a request the org already carried out.
   */
  lose(route: string, opts?: FaultOptions): FaultRule;
  /** Answer `ms` later. */
  delay(route: string, ms: number, opts?: FaultOptions): FaultRule;
  /** Invalidate every session now: REST answers 401 INVALID_SESSION_ID, SOAP a sf:INVALID_SESSION_ID fault. */
  expireSessions(): void;
  /** The next deploy ends in a component failure with this problem (on its first component). */
  failNextDeploy(problem?: string): void;
  /** Remove every armed rule and the pending deploy failure. */
  clear(): void;
  /** Armed rules, with their counters. */
  readonly rules: readonly FaultRule[];
}

export interface FaultEngine extends FaultApi {
  /** The actions for this call of `route` (delays first), counting the call. */
  take(route: string): FaultAction[];
  takeDeployFailure(): string | undefined;
}

export function matchesRoute(pattern: string, route: string): boolean {
  if (pattern === '*') return true;
  return pattern.endsWith('*') ? route.startsWith(pattern.slice(0, -1)) : pattern === route;
}

export function createFaults(expireSessions: () => void): FaultEngine {
  let rules: FaultRule[] = [];
  let deployFailure: string | undefined;

  const arm = (route: string, action: FaultAction, opts: FaultOptions, defaultTimes: number): FaultRule => {
    const nth = opts.nth ?? 1;
    const times = opts.times ?? defaultTimes;
    if (!Number.isInteger(nth) || nth < 1) throw new Error(`nth must be 1 or more: ${nth}`);
    if (!(times >= 1)) throw new Error(`times must be 1 or more: ${times}`);
    const rule: FaultRule = { route, action, nth, times, seen: 0, hits: 0 };
    rules.push(rule);
    return rule;
  };

  return {
    fail: (route, opts = {}) =>
      arm(
        route,
        { kind: 'error', status: opts.status ?? 503, ...(opts.message ? { message: opts.message } : {}) },
        opts,
        1,
      ),
    drop: (route, opts = {}) => arm(route, { kind: 'drop' }, opts, 1),
    lose: (route, opts = {}) => arm(route, { kind: 'lose' }, opts, 1),
    delay: (route, ms, opts = {}) => arm(route, { kind: 'delay', ms }, opts, Infinity),
    expireSessions,
    failNextDeploy: (problem = 'Injected fault: the deploy failed') => {
      deployFailure = problem;
    },
    clear: () => {
      rules = [];
      deployFailure = undefined;
    },
    get rules() {
      return rules;
    },
    take(route) {
      const actions: FaultAction[] = [];
      for (const rule of rules) {
        if (!matchesRoute(rule.route, route)) continue;
        rule.seen++;
        if (rule.seen >= rule.nth && rule.hits < rule.times) {
          rule.hits++;
          actions.push(rule.action);
        }
      }
      rules = rules.filter((r) => r.hits < r.times);
      return actions.sort((a, b) => (a.kind === 'delay' ? -1 : 0) - (b.kind === 'delay' ? -1 : 0));
    },
    takeDeployFailure() {
      const problem = deployFailure;
      deployFailure = undefined;
      return problem;
    },
  };
}
