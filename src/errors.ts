/** Errors tswasi reports to users: one line, no stack trace. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * What users are told of an exception: a UserError's own words, anything
 * else as an internal error (a bug of tswasi's, never the guest's fault).
 */
export function errorMessage(e: unknown): string {
  return e instanceof UserError ? e.message : `internal error: ${(e as Error | null | undefined)?.message ?? String(e)}`;
}

/** The one line tswasi prints on stderr for a failure: `error: MESSAGE`. */
export function errorLine(error: { readonly message: string }): string {
  return `error: ${error.message}`;
}

/** The stderr line for an exception: errorLine of its errorMessage. */
export function failureLine(e: unknown): string {
  return errorLine({ message: errorMessage(e) });
}
