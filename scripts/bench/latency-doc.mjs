// The editor-latency document: AnyIO 2 modules from the fixtures (renamed per copy, as in the
// corpus) concatenated, whole fixtures only (so it parses cleanly), until it has `lines` lines.
import { loadFixtures, makeModule } from './corpus.mjs';

export function generateLatencyDocument(fixturesDir, lines) {
  const fixtures = loadFixtures(fixturesDir);
  const pick = [];
  let total = 0;
  for (let i = 0; total < lines; i++) {
    const fi = i % fixtures.length;
    pick.push(fi);
    total += fixtures[fi].text.split('\n').length + 2;
  }
  return makeModule(fixtures, pick, 'doc', false);
}
