/**
 * The checklist of CONTRIBUTING.md, enforced: every rule of the registry has docs (why, before,
 * after), fixtures in test/fixtures/<CODE>/ (a before/after pair when it has a fix, or a no-op
 * case), a CHANGELOG.md line naming its code, and its messages and fix titles in its metadata
 * (for each target where it has a fix). Then, over every fixture and both targets, each finding's
 * message and fix title is one of its rule's templates: no text is written inline in a check.
 * The checker is also run on synthetic rules that each miss one item, to show it fails for them.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { render } from '../../src/core/rule-api';
import type { RuleMeta, Target, Template } from '../../src/core/types';
import { analyze, initEngine, RULES } from '../../src/engine';
import { type Fixture, fixturesRoot, loadFixtures } from '../support/fixtures';

interface ChecklistInput {
  rules: readonly RuleMeta[];
  /** Fixture cases by folder (test/fixtures/<CODE>/). */
  fixtures: ReadonlyMap<string, readonly Fixture[]>;
  changelog: string;
}

/** The targets where `meta` says it has a fix. */
function fixTargets(meta: RuleMeta): Target[] {
  const out: Target[] = [];
  if (meta.fixAvailability !== 'never') out.push('anyio3');
  if (meta.compatFixAvailability !== undefined && meta.compatFixAvailability !== 'never') out.push('anyio2+3');
  return out;
}

/** What each rule misses of the checklist, one line per missing item (empty: complete). */
function checklistProblems({ rules, fixtures, changelog }: ChecklistInput): string[] {
  const problems: string[] = [];
  for (const r of rules) {
    for (const part of ['why', 'before', 'after'] as const) if (!r.docs[part]?.trim()) problems.push(`${r.code}: docs.${part} is empty`);
    const cases = fixtures.get(r.code) ?? [];
    if (cases.length === 0) problems.push(`${r.code}: no fixture in test/fixtures/${r.code}/`);
    else if (r.fixAvailability !== 'never' && !cases.some((c) => c.expectedFixed !== undefined)) {
      problems.push(`${r.code}: has a fix but no before/after pair (<case>.py with <case>.fixed.py) in test/fixtures/${r.code}/`);
    } else if (!cases.some((c) => c.directives.codes.includes(r.code) || c.directives.codes.length === 0)) {
      problems.push(`${r.code}: no fixture in test/fixtures/${r.code}/ reports it (or is a no-op case)`);
    }
    if (!new RegExp(`\\b${r.code}\\b`).test(changelog)) problems.push(`${r.code}: no CHANGELOG.md line names it`);
    const messages = Object.entries(r.messages ?? {});
    if (messages.length === 0) problems.push(`${r.code}: no messages in its metadata`);
    for (const [key, t] of messages) if (!t.trim()) problems.push(`${r.code}: message "${key}" is empty`);
    for (const target of fixTargets(r)) {
      const titles = Object.entries(r.fixTitles?.[target] ?? {});
      if (titles.length === 0) problems.push(`${r.code}: has a fix for ${target} but no ${target} fix titles in its metadata`);
      for (const [key, t] of titles) if (!t.trim()) problems.push(`${r.code}: ${target} fix title "${key}" is empty`);
    }
    // The editor offers the anyio2+3 fix next to the anyio3 one (no target chosen) under its own
    // title: it must say it is the cross-version form, unless it is the anyio3 fix's very title.
    const anyio3Titles = Object.values(r.fixTitles?.anyio3 ?? {});
    for (const [key, t] of Object.entries(r.fixTitles?.['anyio2+3'] ?? {})) {
      if (!t.includes('(AnyIO 2 and 3)') && !anyio3Titles.includes(t)) problems.push(`${r.code}: anyio2+3 fix title "${key}" does not say "(AnyIO 2 and 3)"`);
    }
  }
  return problems;
}

/** Whether `text` is `template` with some value for each placeholder. */
function matchesTemplate(template: Template, text: string): boolean {
  const parts = template.split(/\{[A-Za-z_][A-Za-z0-9_]*\}/);
  const escaped = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[\\s\\S]*?')}$`).test(text);
}

/** Whether `text` is one of `templates` (a clause such as `{unproven}` may be filled by another one). */
function fromTemplates(templates: readonly Template[], text: string): boolean {
  return templates.some((t) => matchesTemplate(t, text));
}

function readChangelog(): string {
  return fs.readFileSync(path.join(fixturesRoot(), '..', '..', 'CHANGELOG.md'), 'utf8');
}

describe('rule checklist (CONTRIBUTING.md)', () => {
  const fixtures = loadFixtures();

  before(async () => {
    await initEngine();
  });

  it('every rule of the registry has docs, fixtures, a CHANGELOG line, messages and fix titles', () => {
    assert.ok(RULES.length >= 26, `${RULES.length} rules`);
    assert.deepEqual(checklistProblems({ rules: RULES, fixtures, changelog: readChangelog() }), []);
  });

  it('fails for a rule that misses any item, naming what is missing', () => {
    const complete = RULES.find((r) => r.code === 'ASY101')!;
    const changelog = readChangelog();
    const input = (rule: RuleMeta, over: Partial<ChecklistInput> = {}): ChecklistInput => ({ rules: [rule], fixtures, changelog, ...over });
    assert.deepEqual(checklistProblems(input(complete)), []);
    // A new rule: metadata only, nothing else yet.
    const fresh: RuleMeta = { ...complete, code: 'ASY199', name: 'fresh' };
    assert.deepEqual(checklistProblems(input(fresh)), ['ASY199: no fixture in test/fixtures/ASY199/', 'ASY199: no CHANGELOG.md line names it']);
    const reportingOthers = fixtures.get('ASY101')!.filter((c) => c.directives.codes.length > 0);
    assert.deepEqual(checklistProblems(input(fresh, { fixtures: new Map([['ASY199', reportingOthers]]), changelog: `${changelog}\n- ASY199: fresh.\n` })), [
      'ASY199: no fixture in test/fixtures/ASY199/ reports it (or is a no-op case)',
    ]);
    assert.deepEqual(checklistProblems(input({ ...complete, docs: { ...complete.docs, why: ' ', after: '' } })), ['ASY101: docs.why is empty', 'ASY101: docs.after is empty']);
    assert.deepEqual(checklistProblems(input({ ...complete, messages: {} })), ['ASY101: no messages in its metadata']);
    assert.deepEqual(checklistProblems(input({ ...complete, fixTitles: { anyio3: complete.fixTitles.anyio3! } })), []);
    assert.deepEqual(checklistProblems(input({ ...complete, compatFixAvailability: 'sometimes', fixTitles: { anyio3: complete.fixTitles.anyio3! } })), [
      'ASY101: has a fix for anyio2+3 but no anyio2+3 fix titles in its metadata',
    ]);
    assert.deepEqual(checklistProblems(input({ ...complete, fixTitles: {} })), ['ASY101: has a fix for anyio3 but no anyio3 fix titles in its metadata']);
    assert.deepEqual(checklistProblems(input({ ...complete, fixTitles: { ...complete.fixTitles, 'anyio2+3': { maybeAsync: 'Wrap in `maybe_async()`' } } })), [
      'ASY101: anyio2+3 fix title "maybeAsync" does not say "(AnyIO 2 and 3)"',
    ]);
    // Fixtures without a before/after pair: enough for a rule without a fix, not for one with a fix.
    const noPair = new Map([['ASY101', fixtures.get('ASY101')!.filter((c) => c.expectedFixed === undefined)]]);
    assert.deepEqual(checklistProblems(input(complete, { fixtures: noPair })), [
      'ASY101: has a fix but no before/after pair (<case>.py with <case>.fixed.py) in test/fixtures/ASY101/',
    ]);
    assert.deepEqual(
      checklistProblems(
        input({ ...complete, fixAvailability: 'never' }, { fixtures: new Map([['ASY101', fixtures.get('ASY101')!.map((c) => ({ ...c, expectedFixed: undefined }))]]) }),
      ),
      [],
    );
  });

  it('template matching: placeholders take any text, the literal parts must match exactly', () => {
    assert.equal(matchesTemplate('use `{cls}(...)` directly.', 'use `Event(...)` directly.'), true);
    assert.equal(matchesTemplate('use `{cls}(...)` directly.', 'use `Event()` directly.'), false);
    assert.equal(matchesTemplate('Remove the `await`{unproven}.', 'Remove the `await`.'), true);
    assert.equal(matchesTemplate('a {x} b', 'a x b!'), false);
    assert.equal(render('`{name}()` and `{name}`, {other}', { name: 'f', other: '{name}' }), '`f()` and `f`, {name}');
    assert.throws(() => render('{missing}'), /placeholder \{missing\} has no value/);
  });

  it('every message and fix title found over the fixtures (both targets) is a template of its rule', () => {
    const byCode = new Map(RULES.map((r) => [r.code, r]));
    let messages = 0;
    let titles = 0;
    const titled = new Set<string>();
    for (const cases of fixtures.values()) {
      for (const fx of cases) {
        for (const target of ['anyio3', 'anyio2+3'] as const) {
          for (const f of analyze(fx.input, { target })) {
            const meta = byCode.get(f.code)!;
            assert.ok(fromTemplates(Object.values(meta.messages), f.message), `${fx.folder}/${fx.name} (${target}) ${f.code}: message not in its metadata: ${f.message}`);
            messages++;
            if (!f.fix) continue;
            const own = Object.values(meta.fixTitles[target] ?? {});
            assert.ok(fromTemplates(own, f.fix.title), `${fx.folder}/${fx.name} (${target}) ${f.code}: fix title not in its ${target} titles: ${f.fix.title}`);
            titles++;
            titled.add(`${f.code} ${target}`);
          }
        }
      }
    }
    assert.ok(messages > 500 && titles > 300, `${messages} messages, ${titles} fix titles`);
    // Not vacuous: every target each rule declares a fix for is exercised by some fixture.
    for (const r of RULES) for (const target of fixTargets(r)) assert.ok(titled.has(`${r.code} ${target}`), `${r.code}: no fixture shows a ${target} fix`);
  });
});
