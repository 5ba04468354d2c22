#!/usr/bin/env node
// Regenerates docs/rules.md and the rule table between the README's markers from the rule metadata.
// `--check` fails (exit 1) instead of writing when something is out of date.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { RULES } = require(join(root, 'out/src/engine.js'));
const { rulesPage, rulesTable } = require(join(root, 'out/src/core/docs.js'));
const check = process.argv.includes('--check');
let stale = [];

function update(file, content) {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (old === content) return;
  if (check) stale.push(file);
  else writeFileSync(file, content);
}

update(join(root, 'docs/rules.md'), rulesPage(RULES));
const readme = join(root, 'README.md');
if (existsSync(readme)) {
  const text = readFileSync(readme, 'utf8');
  const begin = '<!-- rules-table:begin -->';
  const end = '<!-- rules-table:end -->';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i !== -1 && j > i) update(readme, text.slice(0, i + begin.length) + '\n' + rulesTable(RULES) + '\n' + text.slice(j));
}
if (stale.length) {
  console.error(`out of date (run npm run docs): ${stale.join(', ')}`);
  process.exit(1);
}
