// The one error type a user's fix is read from. Set where the error is thrown: the input at fault, every problem
// found, what to do next. The three bundles (index, org, github) each carry their own copy of this class, so
// nothing checks `instanceof` across them: the brand `isActionError` and `kind` say what an error is.

/** A problem with one input, said without the input's name. */
export interface InputProblem {
  /** the input's name as written in a workflow, e.g. `contact-email` */
  input: string;
  /** what is wrong and what would be right, without the input name */
  message: string;
}

export type ActionErrorKind = 'input' | 'org' | 'preflight' | 'org-answer' | 'packaging' | 'deploy' | 'github';

export interface ActionErrorFields {
  /** the input whose value the user changes to fix this */
  input?: string;
  /** every problem found, each against its input (the inputs' checks, the checks before any change) */
  problems?: InputProblem[];
  /** what to do next, when the thrower knows better than the failed step's general advice */
  next?: string[];
  cause?: unknown;
}

export class ActionError extends Error {
  readonly isActionError = true as const;
  readonly kind: ActionErrorKind;
  input?: string;
  problems?: InputProblem[];
  next?: string[];
  constructor(kind: ActionErrorKind, message: string, fields: ActionErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.kind = kind;
    if (fields.input) this.input = fields.input;
    if (fields.problems) this.problems = fields.problems;
    if (fields.next) this.next = fields.next;
  }
}

/** The fields of an ActionError thrown in any bundle. */
export interface ActionErrorShape extends Error {
  isActionError: true;
  kind: ActionErrorKind;
  input?: string;
  problems?: InputProblem[];
  next?: string[];
}

export function isActionError(error: unknown, kind?: ActionErrorKind): error is ActionErrorShape {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as Partial<ActionErrorShape>;
  return e.isActionError === true && (kind === undefined || e.kind === kind);
}

/** One line per problem, each `<input>: <message>`, as annotations and the summary say them. */
export function problemLine(p: InputProblem): string {
  return `${p.input}: ${p.message}`;
}
