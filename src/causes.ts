// Errors wrap errors: @salesforce/core, jsforce, undici and the action's own steps keep the original in `cause`.
// A question about an error ("transient?", "a duplicate?") is asked of every link, so it does not matter which
// layer threw.

/** How many links are read at most: a chain longer than this is a loop the identity check cannot see. */
const MAX_LINKS = 8;

/** `error` and each `cause` under it, objects only, each once (a cause that points back ends the walk). */
export function causeChain(error: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let e: unknown = error; e && typeof e === 'object' && out.length < MAX_LINKS; ) {
    const link = e as Record<string, unknown>;
    if (out.includes(link)) break;
    out.push(link);
    e = link['cause'];
  }
  return out;
}

/** Whether any link of the chain satisfies `test`. */
export function someCause(error: unknown, test: (link: Record<string, unknown>) => boolean): boolean {
  return causeChain(error).some(test);
}
