/**
 * The explicit, typed list of rule families (no import side effects). Order is the order of codes.
 */
import type { RuleFamily } from '../core/rule-api';
import { awaitNowSync } from './await-now-sync';
import { factories } from './factories';
import { cancelScopes } from './cancel-scopes';
import { tasksThreads } from './tasks-threads';
import { modules } from './modules';
import { compatShims } from './compat-shims';

export const RULE_FAMILIES: readonly RuleFamily[] = [awaitNowSync, factories, cancelScopes, tasksThreads, modules, compatShims];
