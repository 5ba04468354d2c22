/**
 * Every prefilter (the engine's "no `anyio` in the text" gate, the rule families' text and name
 * tests) only skips work: the findings are the same with the prefilters turned off, on every
 * fixture original, on a seeded sample of the fuzz corpus, and on the shapes that once slipped
 * past a prefilter (issue 11).
 */
import * as assert from 'node:assert/strict';
import { analyzeOutcome, initEngine } from '../../src/engine';
import { setPrefiltersEnabled } from '../../src/core/prefilters';
import type { Finding } from '../../src/core/types';
import { allFixtures } from '../oracle/corpus';
import { buildCorpus, generateCases } from '../fuzz/runner';
import { applyCase } from '../fuzz/mutations';

const SHAPES: Array<{ name: string; text: string; codes: string[] }> = [
  {
    name: 'conditional expression of plain AnyIO context managers',
    text: 'import anyio\n\nasync def f(strict):\n    async with (anyio.fail_after(1) if strict else anyio.move_on_after(1)) as g:\n        pass\n',
    codes: ['ASY203'],
  },
  {
    name: 'backslash continuation after await',
    text: 'import anyio\n\nasync def f():\n    x = await \\\n        anyio.current_effective_deadline()\n',
    codes: ['ASY101'],
  },
  {
    name: 'parentheses with a comment and a continuation after await',
    text: 'import anyio as a\nb = a\nc = (b)\n\nasync def f():\n    x = await ( \\\n        # now\n        c.current_time())\n',
    codes: ['ASY101'],
  },
  {
    name: 'pytest.param curio backend',
    text: "import pytest\n\n@pytest.fixture(params=[pytest.param('asyncio'), pytest.param('curio', id='curio')])\ndef anyio_backend(request):\n    return request.param\n\n@pytest.mark.parametrize('anyio_backend', [pytest.param('curio', marks=pytest.mark.slow)])\ndef test_x(anyio_backend):\n    pass\n",
    codes: ['ASY503', 'ASY503'],
  },
];

function findings(text: string, prefilters: boolean): Array<Omit<Finding, 'fix'> & { fix?: string }> | string {
  setPrefiltersEnabled(prefilters);
  try {
    const r = analyzeOutcome(text);
    if (r.refused !== undefined) return `refused: ${r.refused}`;
    return r.findings.map((f) => ({ ...f, fix: f.fix ? JSON.stringify(f.fix) : undefined }));
  } finally {
    setPrefiltersEnabled(true);
  }
}

function assertSame(name: string, text: string): void {
  assert.deepEqual(findings(text, true), findings(text, false), `${name}: the prefilters changed the findings`);
}

describe('prefilters are supersets of their rules', function () {
  this.timeout(300_000);
  before(async () => {
    await initEngine();
  });

  it('finds the shapes that once slipped past a prefilter, with and without prefilters', () => {
    for (const s of SHAPES) {
      const on = findings(s.text, true);
      assert.ok(Array.isArray(on), s.name);
      assert.deepEqual(
        on.map((f) => f.code),
        s.codes,
        s.name,
      );
      assertSame(s.name, s.text);
    }
  });

  it('every fixture original: same findings with and without prefilters', () => {
    const fixtures = allFixtures();
    assert.ok(fixtures.length > 100);
    for (const f of fixtures) assertSame(`${f.folder}/${f.name}.py`, f.input);
  });

  it('150 seeded fuzz cases: same findings with and without prefilters', () => {
    const corpus = buildCorpus({ stdlibStep: 25 });
    const cases = generateCases(corpus, 11, 0, 150);
    assert.equal(cases.length, 150);
    for (const { index, c } of cases) {
      const seed = corpus.seeds[c.source]!;
      assertSame(`case ${index} (${seed.name})`, applyCase(seed.text, c, corpus.snippets));
    }
  });
});
