import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findProjectRoot } from '../runtime/project-root.js';

/** The checkout or installed package swapd runs from: templates, registry, web pages and migrations. */
export const PROJECT_ROOT = findProjectRoot(import.meta.url);

export const SWAPD_VERSION: string = (
  JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
