/**
 * The engine is built from a registry passed in (`createEngine(families)` in src/core/engine.ts);
 * src/engine.ts wires the default one. These tests check that the registry given is the one used,
 * by every entry point (analysis, the fix loop, scoped re-analysis, the rule metadata), and that
 * the default engine is exactly the registry's families.
 */
import * as assert from 'node:assert/strict';
import { createEngine, DOCS_BASE } from '../../src/core/engine';
import type { RuleFamily } from '../../src/core/rule-api';
import { IncrementalAnalysis } from '../../src/core/incremental';
import { parse } from '../../src/core/parser';
import type { RuleMeta } from '../../src/core/types';
import { analyze, engine, fixAll, initEngine, RULES } from '../../src/engine';
import { RULE_FAMILIES } from '../../src/rules/registry';
import { loadFixtures } from '../support/fixtures';

/**
 * A family outside the registry: TST001 reports every `spam` (safe fix: `eggs`), TST002 every `ham`
 * (no fix). `spamCrossScope`: TST001's metadata says it looks across scopes.
 */
function testFamily(spamCrossScope = false): { family: RuleFamily; spam: RuleMeta; ham: RuleMeta } {
  const meta = (code: string, name: string): RuleMeta => ({
    code,
    name,
    summary: `${name} found`,
    rows: [],
    fixTitle: 'Rename',
    fixAvailability: code === 'TST001' ? 'always' : 'never',
    fixSafety: 'Safe.',
    defaultSeverity: 'warning',
    deprecated: false,
    docs: { why: 'Test.', before: name, after: name },
    messages: { found: '{word} at {offset}' },
    fixTitles: code === 'TST001' ? { anyio3: { rename: 'Rename to eggs' } } : {},
  });
  const spam: RuleMeta = { ...meta('TST001', 'spam'), ...(spamCrossScope ? { crossScope: true } : {}) };
  const ham = meta('TST002', 'ham');
  const family: RuleFamily = {
    rules: [spam, ham],
    check(ctx) {
      for (const [word, m] of [
        ['spam', spam],
        ['ham', ham],
      ] as const) {
        for (const o of ctx.idx.identifiers.get(word) ?? []) {
          ctx.report(m, {
            start: o,
            end: o + word.length,
            message: `${word} at ${o}`,
            ...(m === spam ? { fix: { title: 'Rename to eggs', applicability: 'safe' as const, edits: [{ start: o, end: o + word.length, text: 'eggs' }] } } : {}),
          });
        }
      }
    },
  };
  return { family, spam, ham };
}

const SAMPLE = 'import anyio\n\nasync def main():\n    spam = anyio.create_event()\n    await spam.set()\n    ham = 1  # noqa: TST002\n    print(ham)\n';

describe('core/engine: the rule registry is passed in', () => {
  before(async () => {
    await initEngine();
  });

  it('the default engine has exactly the rules of the registry, sorted by code', () => {
    const want = RULE_FAMILIES.flatMap((f) => f.rules.map((r) => r.code)).sort();
    assert.deepEqual(
      RULES.map((r) => r.code),
      want,
    );
    assert.equal(new Set(want).size, want.length);
    for (const code of want) assert.equal(engine.ruleByCode(code)?.code, code);
    assert.equal(engine.analyze, analyze);
    assert.equal(engine.fixAll, fixAll);
  });

  it('an engine without rules finds and fixes nothing and knows no code', () => {
    const none = createEngine([]);
    assert.deepEqual(none.RULES, []);
    assert.ok(
      analyze(SAMPLE).some((f) => f.code === 'ASY102'),
      'the default engine does find something here',
    );
    assert.deepEqual(none.analyze(SAMPLE), []);
    assert.deepEqual(none.analyzeOutcome(SAMPLE), { findings: [] });
    const r = none.fixAll(SAMPLE);
    assert.equal(r.output, SAMPLE);
    assert.deepEqual(r.applied, []);
    assert.equal(none.isValidCodeSelector('ASY'), false);
    assert.equal(none.isValidCodeSelector('ALL'), true);
    assert.equal(none.ruleByCode('ASY101'), undefined);
    assert.equal(none.docsUrl('ASY101'), DOCS_BASE);
  });

  it('a family outside the registry is run through the same context, suppressions, selection and fix loop', () => {
    const { family, spam } = testFamily();
    const custom = createEngine([family]);
    assert.deepEqual(
      custom.RULES.map((r) => r.code),
      ['TST001', 'TST002'],
    );
    assert.equal(custom.docsUrl('TST001'), `${DOCS_BASE}#tst001-spam`);
    assert.equal(custom.isValidCodeSelector('TST'), true);
    assert.equal(custom.isValidCodeSelector('ASY'), false);
    const found = custom.analyze(SAMPLE);
    // `ham` on the line with `# noqa: TST002` is suppressed; the one on the next line is not.
    assert.deepEqual(
      found.map((f) => [f.code, f.rule, SAMPLE.slice(f.start, f.end), f.severity, f.fix ? f.fix.applicability : f.noFixReason]),
      [
        ['TST001', 'spam', 'spam', 'warning', 'safe'],
        ['TST001', 'spam', 'spam', 'warning', 'safe'],
        ['TST002', 'ham', 'ham', 'warning', 'No automatic fix for this usage.'],
      ],
    );
    assert.deepEqual(
      custom.analyze(SAMPLE, { select: ['TST002'] }).map((f) => f.code),
      ['TST002'],
    );
    assert.deepEqual(custom.analyze(SAMPLE, { ignore: ['TST'] }), []);
    const r = custom.fixAll(SAMPLE);
    assert.equal(r.output, SAMPLE.replace(/spam/g, 'eggs'));
    assert.deepEqual(
      r.applied.map((a) => a.code),
      ['TST001', 'TST001'],
    );
    assert.deepEqual(
      r.remaining.map((f) => f.code),
      ['TST002'],
    );
    assert.equal(custom.ruleByCode('TST001'), spam);
  });

  it('scoped re-analysis uses the engine it is given', () => {
    const { family } = testFamily();
    const custom = createEngine([family]);
    const tree = parse(SAMPLE);
    try {
      assert.deepEqual(new IncrementalAnalysis(custom).analyze(SAMPLE, tree).findings, custom.analyze(SAMPLE));
      assert.deepEqual(new IncrementalAnalysis(engine).analyze(SAMPLE, tree).findings, analyze(SAMPLE));
    } finally {
      tree.delete();
    }
  });

  it('scoped re-analysis re-analyses the whole file when a finding outside the edited body is of a rule that looks across scopes (RuleMeta.crossScope)', () => {
    const before = 'import anyio\nspam = 1\n\ndef f():\n    x = 1\n    return x\n';
    const after = before.replace('x = 1', 'x = 2');
    const modes = (crossScope: boolean): string[] => {
      const custom = createEngine([testFamily(crossScope).family]);
      const inc = new IncrementalAnalysis(custom);
      const out: string[] = [];
      for (const text of [before, after]) {
        const tree = parse(text);
        try {
          const r = inc.analyze(text, tree);
          assert.deepEqual(r.findings, custom.analyze(text));
          assert.deepEqual(
            r.findings.map((f) => f.code),
            ['TST001'],
          );
          out.push(r.mode);
        } finally {
          tree.delete();
        }
      }
      return out;
    };
    assert.deepEqual(modes(false), ['full', 'incremental']);
    assert.deepEqual(modes(true), ['full', 'full']);
    // The registry's rules that say so: no list of codes is kept anywhere else.
    assert.deepEqual(
      RULES.filter((r) => r.crossScope).map((r) => r.code),
      ['ASY403', 'ASY501', 'ASY603'],
    );
  });

  it('refuses a registry with a code twice, and keeps its own copy of the list', () => {
    const { family } = testFamily();
    assert.throws(() => createEngine([family, family]), /rule code TST001 is registered twice/);
    const list = [family];
    const custom = createEngine(list);
    list.pop();
    assert.equal(custom.analyze(SAMPLE).length, 3);
  });

  it('each family alone finds on every fixture exactly what the whole registry finds for its codes', () => {
    const alone = RULE_FAMILIES.map((f) => ({ codes: new Set(f.rules.map((r) => r.code)), engine: createEngine([f]) }));
    let compared = 0;
    for (const fixtures of loadFixtures().values()) {
      for (const fx of fixtures) {
        const options = { target: fx.directives.target };
        const all = analyze(fx.input, options);
        for (const a of alone) {
          assert.deepEqual(
            a.engine.analyze(fx.input, options),
            all.filter((f) => a.codes.has(f.code)),
            `${fx.folder}/${fx.name}`,
          );
          compared++;
        }
      }
    }
    assert.ok(compared >= RULE_FAMILIES.length * 100, `compared ${compared}`);
  });
});
