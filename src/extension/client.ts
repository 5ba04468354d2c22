/**
 * The language client, made quiet about requests that fail only because it is stopping.
 *
 * On a window reload VS Code delivers the editor's last requests (code actions for the light bulb,
 * hovers) and the extension host's terminate message in one batch: each request passes the
 * client's "am I running?" check, waits a microtask for the connection, and meanwhile
 * `deactivate()` has stopped the client, so the request fails with "Starting server failed", the
 * client logs "Request textDocument/codeAction failed" in the server's channel and VS Code logs
 * "provider FAILED" (issue 13, 5 of 5 reloads). A request that fails while the client is not
 * running (stopping, stopped, restarting) has no one waiting for its answer: it gets the empty
 * answer, as the client already does for `ConnectionInactive` and `PendingResponseRejected`.
 * Failures while the client runs are still logged.
 */
import { LanguageClient, State, type MessageSignature } from 'vscode-languageclient/node';
import type { CancellationToken } from 'vscode';

export class AnyioLanguageClient extends LanguageClient {
  override handleFailedRequest<T>(type: MessageSignature, token: CancellationToken | undefined, error: unknown, defaultValue: T, showNotification?: boolean): T {
    if (this.state !== State.Running) return defaultValue;
    return super.handleFailedRequest(type, token, error, defaultValue, showNotification);
  }
}

/**
 * Stops `client` for `deactivate()` (a window reload or close): waits for a start in progress
 * (stopping a starting client throws), and swallows a stop of a client that is already gone.
 */
export async function stopClient(client: LanguageClient, started: Promise<unknown>): Promise<void> {
  if (client.state === State.Starting) await started.catch(() => undefined);
  if (client.state !== State.Running) return;
  await client.stop().catch(() => undefined);
}
