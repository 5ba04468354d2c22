/**
 * The analysis worker after shutdown: a request that arrives late (a background workspace scan
 * finishing its file after `shutdown`) is cancelled instead of starting a new worker thread, which
 * outlived the server and kept the process (a test run: for an hour in CI) from exiting.
 */
import * as assert from 'node:assert/strict';
import { AnalysisWorker } from '../../src/server/analysisWorker';
import { DocumentState } from '../../src/server/documents';

const SOURCE = 'import anyio\n\n\nasync def main(event: anyio.Event):\n    await event.set()\n';

describe('server/analysisWorker: nothing starts after dispose', function () {
  this.timeout(60_000);
  const logs: string[] = [];
  const make = (): AnalysisWorker => new AnalysisWorker({ budgetMs: 30_000, log: (m) => logs.push(m) });

  it('analyses in a worker, and once disposed cancels analyses and summaries without starting one', async () => {
    const worker = make();
    const doc = new DocumentState('file:///w/a.py', 'python', 1, SOURCE);
    try {
      const first = await worker.analyze(doc, {});
      assert.equal(first.kind, 'done');
      assert.deepEqual(first.kind === 'done' ? first.findings.map((f) => f.code) : [], ['ASY102']);
      assert.equal(worker.stats.started, 1);

      worker.dispose();
      assert.deepEqual(await worker.analyze(doc, {}), { kind: 'cancelled' });
      assert.deepEqual(await worker.summarize(SOURCE, 'a', false, '/w/a.py'), { kind: 'cancelled' });
      assert.equal(worker.stats.started, 1, 'no worker thread was started after dispose');
      assert.equal(worker.stats.terminated, 1);
      assert.deepEqual(logs, []);
    } finally {
      doc.dispose();
      worker.dispose();
    }
  });

  it('disposing a worker that never started is harmless, and it stays closed', async () => {
    const worker = make();
    worker.dispose();
    worker.dispose();
    assert.deepEqual(await worker.summarize(SOURCE, 'a', false, '/w/a.py'), { kind: 'cancelled' });
    assert.equal(worker.stats.started, 0);
  });
});
