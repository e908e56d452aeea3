import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/main.js';

const SKIP = new Set([
  'node_modules',
  'dist',
  'data',
  'coverage',
  'reports',
  'bench-results',
  '.git',
  '.tmp',
]);

function markdownFiles(dir: string, depth = 0): string[] {
  if (depth > 6) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path, depth + 1);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** The documentation is self-contained: no link or path leaves the repository, and every local link resolves. */
describe('documents stay inside the repository', () => {
  const files = markdownFiles(PROJECT_ROOT);

  it('finds the documents', () => {
    expect(files.map((f) => relative(PROJECT_ROOT, f))).toEqual(
      expect.arrayContaining(['README.md', 'docs/contract.md', 'docs/station-page.md', 'docs/deployment.md']),
    );
  });

  it('no document names ../shared or a path above the repository', () => {
    const outside = files.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const hits = [...text.matchAll(/(?:\.\.\/)+[\w./-]+/g)].map((m) => m[0]);
      return hits
        .filter((h) => h.includes('shared') || !resolve(dirname(file), h).startsWith(PROJECT_ROOT))
        .map((h) => `${relative(PROJECT_ROOT, file)}: ${h}`);
    });
    expect(outside).toEqual([]);
  });

  it('cites no document a reader of the repository does not have (the source seeds, SPEC.md, CONVENTIONS.md)', () => {
    const cited = files.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return [...text.matchAll(/\bseed[- ]0\d\d\b|\b(?:SPEC|CONVENTIONS)\.md\b/gi)].map(
        (m) => `${relative(PROJECT_ROOT, file)}: ${m[0]}`,
      );
    });
    expect(cited).toEqual([]);
  });

  it('every relative markdown link points to a file that exists', () => {
    const broken = files.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
        .map((m) => m[1] as string)
        .filter((target) => !/^[a-z]+:/i.test(target))
        .filter((target) => !existsSync(resolve(dirname(file), target)))
        .map((target) => `${relative(PROJECT_ROOT, file)}: ${target}`);
    });
    expect(broken).toEqual([]);
  });
});
