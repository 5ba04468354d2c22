/**
 * How the language server words a caught error in its logs and replies: `errorMessage` (the
 * message alone, for expected failures shown to users) and `errorTrace` (the stack, for internal
 * failures worth a bug report).
 */

/** The error's message (anything thrown that is not an Error: its string form). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The error's stack trace when it has one, else its message. */
export function errorTrace(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
