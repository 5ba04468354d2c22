/**
 * The language server's session (src/server/session.ts) on its own, over a stand-in connection:
 * settings are asked once per workspace folder (the innermost folder of a document), a failed
 * background promise is logged rather than left unhandled, and errors are worded one way.
 */
import * as assert from 'node:assert/strict';
import type { Connection } from 'vscode-languageserver/node';
import { Session } from '../../src/server/session';
import { errorMessage, errorTrace } from '../../src/server/errors';

interface FakeConnection {
  connection: Connection;
  scopes: string[];
  errors: string[];
}

/** Just what the session touches: `workspace.getConfiguration` (records its scopes) and `console.error`. */
function fakeConnection(settingsOf: (scope: string) => unknown): FakeConnection {
  const scopes: string[] = [];
  const errors: string[] = [];
  const connection = {
    workspace: {
      getConfiguration: (item: { scopeUri: string; section: string }) => {
        scopes.push(item.scopeUri);
        return Promise.resolve(settingsOf(item.scopeUri));
      },
    },
    console: { error: (m: string) => errors.push(m), warn: () => undefined, info: () => undefined, log: () => undefined },
  };
  return { connection: connection as unknown as Connection, scopes, errors };
}

describe('server session', () => {
  it('asks for settings once per workspace folder, the innermost folder of the document', async () => {
    const fake = fakeConnection((scope) => ({ target: scope.endsWith('/inner') ? 'anyio2+3' : 'anyio3' }));
    const session = new Session(fake.connection);
    session.supports.configuration = true;
    session.workspaceFolders = ['file:///w', 'file:///w/inner'];
    const inner = await session.settingsFor('file:///w/inner/a.py');
    const outer = await session.settingsFor('file:///w/b.py');
    await session.settingsFor('file:///w/inner/sub/c.py');
    await session.settingsFor('file:///w/innerx/d.py');
    assert.equal(inner.target, 'anyio2+3');
    assert.equal(outer.target, 'anyio3');
    assert.deepEqual(fake.scopes, ['file:///w/inner', 'file:///w'], 'one request per folder; /w/innerx is in /w, not /w/inner');
    session.settingsCache.clear();
    await session.settingsFor('file:///w/b.py');
    assert.deepEqual(fake.scopes, ['file:///w/inner', 'file:///w', 'file:///w']);
  });

  it('uses the global settings without workspace/configuration, and for a document outside every folder asks by its own URI', async () => {
    const fake = fakeConnection(() => ({ target: 'anyio2+3' }));
    const session = new Session(fake.connection);
    assert.equal((await session.settingsFor('file:///w/a.py')).target, session.globalSettings.target);
    assert.deepEqual(fake.scopes, []);
    session.supports.configuration = true;
    session.workspaceFolders = ['file:///w'];
    assert.equal((await session.settingsFor('untitled:Untitled-1')).target, 'anyio2+3');
    assert.deepEqual(fake.scopes, ['untitled:Untitled-1']);
  });

  it('logs a failed background promise with what it was doing', async () => {
    const fake = fakeConnection(() => ({}));
    const session = new Session(fake.connection);
    session.background(Promise.reject(new Error('boom')), 'publishing diagnostics');
    session.background(Promise.resolve(1), 'sending the document status');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(fake.errors.length, 1);
    assert.match(fake.errors[0]!, /^anyio-migrate: publishing diagnostics failed: Error: boom/);
  });

  it('words errors by message or by stack', () => {
    const err = new Error('bad input');
    assert.equal(errorMessage(err), 'bad input');
    assert.equal(errorMessage('plain'), 'plain');
    assert.equal(errorTrace(err), err.stack);
    const noStack = new Error('no stack');
    delete noStack.stack;
    assert.equal(errorTrace(noStack), 'no stack');
    assert.equal(errorTrace(42), '42');
  });
});
