#!/usr/bin/env node
// Copies the pictures the UI end-to-end test took (test-results/screenshots/, written by
// test/vscode/ui/workbench.e2e.ts) to media/screenshots/, the ones the README and the Marketplace
// page show. Tests never write into tracked folders; refreshing the pictures is this explicit step:
//   node scripts/vscode/run-ui-tests.mjs && node scripts/update-screenshots.mjs
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const from = join(root, 'test-results', 'screenshots');
const to = join(root, 'media', 'screenshots');
/** UI test step → README picture. */
const PICTURES = {
  '01-squiggle.png': 'squiggle.png',
  '02-hover.png': 'hover.png',
  '03-quick-fix.png': 'quick-fix.png',
  '05-migration-overview.png': 'overview.png',
  '06-refactor-preview.png': 'refactor-preview.png',
};
const missing = Object.keys(PICTURES).filter((f) => !existsSync(join(from, f)));
if (missing.length > 0) {
  process.stderr.write(`update-screenshots: ${missing.join(', ')} missing in ${from}: run the UI tests first (node scripts/vscode/run-ui-tests.mjs)\n`);
  process.exit(1);
}
mkdirSync(to, { recursive: true });
for (const [shot, picture] of Object.entries(PICTURES)) {
  copyFileSync(join(from, shot), join(to, picture));
  process.stdout.write(`${picture} ← ${shot}\n`);
}
