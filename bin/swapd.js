#!/usr/bin/env node
// Entry point of the `swapd` command. A production install runs the compiled CLI in dist/ (built by
// `npm run build`) with plain Node; a development checkout without a build runs the TypeScript sources
// through tsx, which is a development dependency only.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'src', 'cli.js');
/** In a checkout, a build older than the sources runs old code: say so. */
function warnIfStale() {
  const src = join(root, 'src');
  if (!existsSync(src)) return;
  const builtAt = statSync(built).mtimeMs;
  const newer = readdirSync(src, { recursive: true }).find((f) => statSync(join(src, f)).mtimeMs > builtAt);
  if (newer)
    process.stderr.write(`swapd: warning: src/${newer} is newer than dist/; run \`npm run build\`\n`);
}

if (existsSync(built)) {
  warnIfStale();
  await import(pathToFileURL(built).href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(
      'swapd: dist/ is missing and tsx (a development dependency) is not installed: run `npm run build` first\n',
    );
    process.exit(1);
  }
  register();
  await import(pathToFileURL(join(root, 'src', 'cli.ts')).href);
}
