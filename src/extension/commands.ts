/**
 * The commands users expect from a language tool: "AnyIO Migrate: Restart Server" (after changing
 * the environment, or if the server misbehaves) and "AnyIO Migrate: Show Output" (the server's
 * log: settings in effect, errors).
 */
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';

export const ClientCommands = {
  restartServer: 'anyioMigrate.restartServer',
  showOutput: 'anyioMigrate.showOutput',
} as const;

/** Restarts the server: a new process, every open document analysed again. */
export async function restartServer(client: LanguageClient, started: Promise<unknown>): Promise<void> {
  // A start in progress first (a starting client cannot be stopped); a failed start is retried below.
  await started.catch(() => undefined);
  const t0 = Date.now();
  try {
    if (client.state === State.Running) await client.restart();
    else await client.start();
  } catch (err) {
    void vscode.window.showErrorMessage(`AnyIO Migrate: the language server could not be restarted: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  client.info(`AnyIO Migrate: server restarted in ${Date.now() - t0} ms`);
  void vscode.window.setStatusBarMessage('AnyIO Migrate: language server restarted', 3000);
}

export function registerClientCommands(context: vscode.ExtensionContext, client: LanguageClient, started: Promise<unknown>): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(ClientCommands.restartServer, () => restartServer(client, started)),
    vscode.commands.registerCommand(ClientCommands.showOutput, () => client.outputChannel.show(true)),
  );
}
