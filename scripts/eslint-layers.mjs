// The layering rule of eslint.config.mjs (`layers/imports`): which of our folders a file under src/
// may import, and which packages it may not. ESLint's own `no-restricted-imports` matches the import
// text as written, so `../engine` could not tell src/engine.ts (from src/core/x.ts) from
// src/core/engine.ts (from src/core/semantic/x.ts), and it does not see require(), import() or
// `typeof import()`; this rule resolves every module a file names against the file's own folder and
// checks the resolved layer. The policy itself (the table of layers) lives in eslint.config.mjs.
import path from 'node:path';

/**
 * @typedef {object} Layer
 * @property {string[]} [allow] the layers (first folder under src/, or `engine` for src/engine.ts)
 *   this layer may import, itself included; absent: any layer not in `deny`.
 * @property {string[]} [deny] the layers it may not import (used when `allow` is absent).
 * @property {RegExp} [forbidPackages] package names (without `node:`) it may not import.
 * @property {string} [why] appended to the message.
 */

/** The layer of a path relative to src/ (with `/`): its first folder, `engine` for src/engine.ts, `outside` above src/. */
export function layerOf(rel) {
  if (rel === '..' || rel.startsWith('../')) return 'outside';
  const [first] = rel.split('/');
  return rel.includes('/') ? first : first.replace(/\.[cm]?[jt]s$/, '');
}

/**
 * @param {Record<string, Layer>} layers keyed by a path prefix under src/ (`core`, `core/semantic`,
 *   `engine`): a file follows every entry whose prefix is its own path's or a folder above it.
 */
export function layersPlugin(layers) {
  const rule = {
    meta: {
      type: 'problem',
      docs: { description: 'Enforce the src/ layering: which of our folders and which packages each layer may import' },
      schema: [],
      messages: {
        layer: '{{from}} may not import {{spec}} (it is {{target}}){{why}}',
        pkg: "{{from}} may not import the package '{{spec}}'{{why}}",
      },
    },
    create(context) {
      const file = context.filename;
      const src = path.join(context.cwd, 'src');
      const rel = path.relative(src, file).split(path.sep).join('/');
      if (rel.startsWith('..') || path.isAbsolute(rel)) return {};
      const fromLayer = layerOf(rel);
      const applicable = Object.entries(layers).filter(([prefix]) => rel === prefix || rel.replace(/\.[cm]?[jt]s$/, '') === prefix || rel.startsWith(`${prefix}/`));
      if (applicable.length === 0) return {};
      const from = `src/${rel}`;

      function check(node, spec) {
        if (typeof spec !== 'string') return;
        if (spec.startsWith('.')) {
          const targetRel = path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec));
          const target = layerOf(targetRel);
          if (target === fromLayer) return;
          for (const [, l] of applicable) {
            const ok = l.allow ? l.allow.includes(target) : !(l.deny ?? []).includes(target);
            if (!ok) {
              const shown = target === 'outside' ? 'outside src/' : target === 'engine' ? 'src/engine.ts' : `src/${target}`;
              context.report({ node, messageId: 'layer', data: { from, spec, target: shown, why: l.why ? `: ${l.why}` : '' } });
              return;
            }
          }
        } else {
          const pkg = spec.replace(/^node:/, '');
          for (const [, l] of applicable) {
            if (l.forbidPackages && l.forbidPackages.test(pkg)) {
              context.report({ node, messageId: 'pkg', data: { from, spec, why: l.why ? `: ${l.why}` : '' } });
              return;
            }
          }
        }
      }
      // A string literal, or a template literal without substitutions; anything computed cannot be resolved.
      const literal = (n) => (n?.type === 'Literal' ? n.value : n?.type === 'TemplateLiteral' && n.expressions.length === 0 ? n.quasis[0].value.cooked : undefined);
      return {
        ImportDeclaration: (n) => check(n.source, n.source.value),
        ExportNamedDeclaration: (n) => n.source && check(n.source, n.source.value),
        ExportAllDeclaration: (n) => check(n.source, n.source.value),
        ImportExpression: (n) => check(n.source, literal(n.source)),
        // `typeof import('x')` and `import('x').T` in types.
        TSImportType: (n) => {
          const arg = n.argument?.type === 'TSLiteralType' ? n.argument.literal : n.argument;
          check(n, literal(arg));
        },
        // `import x = require('x')`
        TSExternalModuleReference: (n) => check(n.expression, literal(n.expression)),
        CallExpression: (n) => {
          if (n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments.length === 1) check(n.arguments[0], literal(n.arguments[0]));
        },
      };
    },
  };
  return { meta: { name: 'anyio-migrate-layers' }, rules: { imports: rule } };
}
