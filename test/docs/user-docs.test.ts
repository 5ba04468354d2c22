/**
 * The user-facing documentation against what it documents: the README's settings table against
 * package.json's settings, the on-save snippets against the code action kind the server registers,
 * the walkthrough against its media files and the VSIX's file list, the README's links and its
 * closing "From source" section.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIX_ALL_KIND } from '../../src/shared/protocol';

const root = path.join(__dirname, '..', '..', '..');
const read = (rel: string): string => fs.readFileSync(path.join(root, rel), 'utf8');

interface Setting {
  default?: unknown;
  description?: string;
  markdownDescription?: string;
  enum?: string[];
  enumDescriptions?: string[];
}
type Media = { markdown: string } | { image: string | Record<string, string>; altText: string } | { svg: string; altText: string };
interface Step {
  id: string;
  title: string;
  description: string;
  media: Media;
  completionEvents?: string[];
}
interface Manifest {
  contributes: {
    commands: Array<{ command: string }>;
    configuration: { title: string; properties: Record<string, Setting> };
    walkthroughs: Array<{ id: string; title: string; steps: Step[] }>;
  };
}

const manifest = (): Manifest => JSON.parse(read('package.json')) as Manifest;

/** The rows of the first table after `heading`, as arrays of trimmed cells (header and rule rows dropped). */
function tableAfter(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n${heading}\n`);
  assert.notEqual(start, -1, `no heading ${heading}`);
  const lines = markdown.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, line.endsWith('|') ? -1 : undefined).split(' | ').map((c) => c.trim()));
  }
  return rows.slice(2);
}

/** The files a walkthrough step's media names, relative to the extension root. */
function mediaFiles(media: Media): string[] {
  if ('markdown' in media) return [media.markdown];
  if ('svg' in media) return [media.svg];
  return typeof media.image === 'string' ? [media.image] : Object.values(media.image);
}

/** Relative link and image targets of a markdown text (no URLs, no anchors, no `command:` links). */
function relativeLinks(markdown: string): string[] {
  const out: string[] = [];
  for (const m of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1]!.split('#')[0]!;
    if (target && !/^[a-z][a-z0-9+.-]*:/i.test(target)) out.push(target);
  }
  return out;
}

describe('user documentation', () => {
  it('the README settings table lists every anyioMigrate setting of package.json, with its default, and no other', () => {
    const props = manifest().contributes.configuration.properties;
    const rows = tableAfter(read('README.md'), '## Settings');
    const documented = new Map(rows.map((r) => [r[0]!.replace(/^`|`$/g, ''), r]));
    for (const [key, setting] of Object.entries(props)) {
      const row = documented.get(key);
      assert.ok(row, `README.md: the settings table has no row for ${key}`);
      assert.equal(row[1], `\`${JSON.stringify(setting.default)}\``, `README.md: the default of ${key}`);
      assert.ok(row[2] && row[2].length > 10, `README.md: ${key} is not described`);
    }
    assert.deepEqual(
      [...documented.keys()].filter((k) => !(k in props)),
      [],
      'README.md documents settings that package.json does not have',
    );
  });

  it('every setting has a markdownDescription, the examples name real rules, the target explains each value', () => {
    const { title, properties } = manifest().contributes.configuration;
    assert.equal(title, 'AnyIO Migrate');
    const codes = new Set(fs.readdirSync(path.join(root, 'test', 'fixtures')).filter((d) => /^ASY\d{3}$/.test(d)));
    for (const [key, setting] of Object.entries(properties)) {
      assert.ok(setting.markdownDescription, `${key} has no markdownDescription`);
      for (const code of setting.markdownDescription.match(/ASY\d{3}/g) ?? []) assert.ok(codes.has(code), `${key} names ${code}, which is not a rule`);
    }
    for (const key of ['anyioMigrate.select', 'anyioMigrate.ignore', 'anyioMigrate.severityOverrides']) {
      assert.match(properties[key]!.markdownDescription!, /ASY\d{3}/, `${key}: an example naming a rule`);
    }
    const target = properties['anyioMigrate.target']!;
    assert.equal(target.enumDescriptions?.length, target.enum?.length);
    assert.ok(target.enumDescriptions!.every((d) => d.length > 20));
  });

  it('the on-save snippets name the code action kind the server registers', () => {
    const snippet = `"editor.codeActionsOnSave": { "${FIX_ALL_KIND}": "explicit" }`;
    assert.ok(read('README.md').includes(snippet), 'README.md');
    assert.ok(read('media/walkthrough/fix-one.md').includes(snippet), 'media/walkthrough/fix-one.md');
    const unsafe = manifest().contributes.configuration.properties['anyioMigrate.unsafeFixes']!.markdownDescription!;
    assert.ok(unsafe.includes(`"editor.codeActionsOnSave": {"${FIX_ALL_KIND}": "explicit"}`), 'anyioMigrate.unsafeFixes');
  });

  it('the walkthrough: four steps, each with an existing media file whose pictures exist, and real completion events', () => {
    const { contributes } = manifest();
    assert.equal(contributes.walkthroughs.length, 1);
    const steps = contributes.walkthroughs[0]!.steps;
    assert.deepEqual(
      steps.map((s) => s.title),
      ['See the findings', 'Fix one', 'Preview and migrate the workspace', 'Pick a target'],
    );
    const commands = new Set(contributes.commands.map((c) => c.command));
    for (const step of steps) {
      for (const file of mediaFiles(step.media)) {
        assert.ok(fs.statSync(path.join(root, file)).isFile(), `${step.id}: ${file} is missing`);
        if (!file.endsWith('.md')) continue;
        for (const link of relativeLinks(read(file))) {
          assert.ok(fs.existsSync(path.join(root, path.dirname(file), link)), `${file}: ${link} is missing`);
        }
      }
      // The walkthrough renders **bold** and links in a step's description, but shows code spans as raw backticks.
      assert.ok(!step.description.includes('`'), `${step.id}: a backtick in the description`);
      assert.ok(step.completionEvents?.length, `${step.id}: no completion event`);
      for (const event of step.completionEvents) {
        const [kind, arg] = [event.slice(0, event.indexOf(':')), event.slice(event.indexOf(':') + 1)];
        assert.ok(['onCommand', 'onSettingChanged', 'onView', 'onContext', 'onLink', 'onEvent'].includes(kind), event);
        if (kind === 'onCommand' && arg.startsWith('anyioMigrate.')) assert.ok(commands.has(arg), `${event}: no such command`);
        if (kind === 'onSettingChanged') assert.ok(arg in contributes.configuration.properties, `${event}: no such setting`);
      }
      for (const m of step.description.matchAll(/\(command:(anyioMigrate\.[\w.]+)/g)) assert.ok(commands.has(m[1]!), `${step.id}: no command ${m[1]}`);
    }
  });

  it('the VSIX ships the walkthrough media, the pictures they show and the docs (rule docs open offline)', async function () {
    this.timeout(300_000); // vsce walks the whole working tree, .tools/ included
    const { listFiles, PackageManager } = (await import('@vscode/vsce')) as typeof import('@vscode/vsce');
    const shipped = new Set((await listFiles({ cwd: root, packageManager: PackageManager.None })).map((f) => f.split(path.sep).join('/')));
    const needed = ['docs/rules.md', 'README.md'];
    for (const step of manifest().contributes.walkthroughs[0]!.steps) {
      for (const file of mediaFiles(step.media)) {
        needed.push(file);
        if (file.endsWith('.md')) for (const link of relativeLinks(read(file))) needed.push(path.posix.join(path.posix.dirname(file), link));
      }
    }
    assert.deepEqual(
      needed.filter((f) => !shipped.has(f)),
      [],
      'not in the VSIX (see .vscodeignore)',
    );
  });

  it('every relative link and picture of the README exists', () => {
    const links = relativeLinks(read('README.md'));
    assert.ok(links.some((l) => l.startsWith('media/screenshots/')));
    for (const link of links) assert.ok(fs.existsSync(path.join(root, link)), `README.md links ${link}, which does not exist`);
  });

  it('the README ends with "From source": exactly npm run demo and npm test', () => {
    const readme = read('README.md');
    const last = readme.slice(readme.lastIndexOf('\n## ') + 1);
    assert.match(last, /^## From source\n/);
    const block = /```sh\n([\s\S]*?)```/.exec(last);
    assert.ok(block, 'no sh block');
    const commands = block[1]!
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter(Boolean);
    assert.deepEqual(commands, ['npm run demo', 'npm test']);
  });
});
