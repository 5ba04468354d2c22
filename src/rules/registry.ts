/**
 * The explicit, typed list of rule families, one per code prefix (no import side effects). Order
 * is the order of codes. A new rule goes into its family's file (`asy<N>-*.ts`): its metadata
 * block and its check in that file's `rules` list; a new family is listed here.
 */
import type { RuleFamily } from '../core/rule-api';
import { asy1 } from './asy1-await-now-sync';
import { asy2 } from './asy2-factories-cancel-scopes';
import { asy3 } from './asy3-task-groups';
import { asy4 } from './asy4-threads-portals';
import { asy5 } from './asy5-modules';
import { asy6 } from './asy6-compat-shims';

export const RULE_FAMILIES: readonly RuleFamily[] = [asy1, asy2, asy3, asy4, asy5, asy6];
