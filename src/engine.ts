/**
 * The default engine: core's engine (src/core/engine.ts) built from the project's rule registry
 * (src/rules/registry.ts). The one place that wires the two, so src/core never imports src/rules;
 * the CLI, the language server, their workers, the scripts and the tests import the engine from
 * here. Everything the engine did as plain module functions is exported under the same names.
 */
import { createEngine, type Engine } from './core/engine';
import { RULE_FAMILIES } from './rules/registry';

export { initEngine, InputRefused, isRuleEnabled, suppressionComment, countParseErrorsIn, mayHaveFindings, applyFix, DOCS_BASE } from './core/engine';
export type { AnalyzeOutcome, Engine } from './core/engine';

/** The engine with every rule of the registry. */
export const engine: Engine = createEngine(RULE_FAMILIES);

export const { RULES, ruleByCode, docsUrl, isValidCodeSelector, analyze, analyzeOutcome, analyzeTree, fixAll } = engine;
