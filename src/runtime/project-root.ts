import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding swapd's package.json, found by walking up from a module's URL. The same answer
 * whether the module runs from the TypeScript sources (src/…) or from the build (dist/src/…), so the
 * shipped templates/, registry/ and config/ folders are found in both cases.
 */
export function findProjectRoot(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  let dir = start;
  for (let i = 0; i < 8; i += 1) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`swapd's package.json not found above ${start}`);
}
