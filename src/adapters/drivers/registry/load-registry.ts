import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorDetail } from '../../../errors.js';
import { SwapdError } from '../../../errors.js';
import { REQUIRED_READ_TAGS, REQUIRED_WRITE_TAGS } from '../../../ports/data-provider.js';
import { createAjv } from '../../../validation/ajv.js';
import type { DeviceProfile, RegistryProfile } from './device-profile.js';
import { isModbusProfile, isReadable, isWritable } from './device-profile.js';

export const PROFILE_SCHEMA_FILE = 'profile.schema.json';
const PROFILE_FILE_NAME = /^[a-z0-9-]+_[a-z0-9.-]+\.json$/;

/** Profiles keyed by file stem (`swapd_station-sim`). */
export type Registry = ReadonlyMap<string, RegistryProfile>;

/** The `registry/` folder shipped with swapd, found from this module (works from src/ and dist/). */
export function defaultRegistryDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i += 1) {
    const candidate = join(dir, 'registry');
    if (readdirSafe(candidate).includes(PROFILE_SCHEMA_FILE)) return candidate;
    dir = dirname(dir);
  }
  throw new SwapdError('CONFIG_INVALID', 'device registry folder not found');
}

/** Loads and validates every profile in `dir`; a broken profile fails start-up naming file and field. */
export function loadRegistry(dir: string = defaultRegistryDir()): Registry {
  const validate = compileProfileSchema(dir);
  const profiles = new Map<string, RegistryProfile>();
  const files = readdirSafe(dir).filter((f) => f.endsWith('.json') && f !== PROFILE_SCHEMA_FILE);
  for (const file of files.sort()) {
    profiles.set(basename(file, '.json'), loadProfileFile(join(dir, file), validate));
  }
  return profiles;
}

/** Loads one profile file (validated against the schema in the same folder unless given). */
export function loadProfile(path: string): RegistryProfile {
  return loadProfileFile(path, compileProfileSchema(dirname(path)));
}

export function getProfile(registry: Registry, name: string): RegistryProfile {
  const profile = registry.get(name);
  if (!profile) {
    const known = [...registry.keys()].join(', ');
    throw new SwapdError('CONFIG_INVALID', `unknown device profile "${name}"; known profiles: ${known}`);
  }
  return profile;
}

/** A profile that must drive the Modbus driver (the station simulator's map, for one). */
export function getModbusProfile(registry: Registry, name: string): DeviceProfile {
  const profile = getProfile(registry, name);
  if (!isModbusProfile(profile))
    throw new SwapdError('CONFIG_INVALID', `device profile "${name}" is not a Modbus profile`);
  return profile;
}

type ProfileValidator = (data: unknown) => ErrorDetail[];

function compileProfileSchema(dir: string): ProfileValidator {
  const schema = JSON.parse(readFileSync(join(dir, PROFILE_SCHEMA_FILE), 'utf8')) as object;
  const validate = createAjv().compile(schema);
  return (data) => {
    if (validate(data)) return [];
    return (validate.errors ?? []).map((e) => ({
      path: e.instancePath || '/',
      message: `${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
    }));
  };
}

function loadProfileFile(path: string, validate: ProfileValidator): RegistryProfile {
  const file = basename(path);
  const fail = (details: ErrorDetail[]): never => {
    const first = details.map((d) => `${d.path}: ${d.message}`).join('; ');
    throw new SwapdError('CONFIG_INVALID', `device profile ${file} is invalid: ${first}`, { details });
  };
  if (!PROFILE_FILE_NAME.test(file))
    fail([{ path: '/', message: 'file name must be <manufacturer>_<model>.json' }]);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return fail([{ path: '/', message: `not readable JSON: ${(err as Error).message}` }]);
  }
  const schemaErrors = validate(data);
  if (schemaErrors.length > 0) fail(schemaErrors);
  const profile = data as RegistryProfile;
  const semanticErrors = checkProfile(profile);
  if (semanticErrors.length > 0) fail(semanticErrors);
  return deepFreeze(profile);
}

/** Cross-field rules JSON Schema cannot say. */
export function checkProfile(profile: RegistryProfile): ErrorDetail[] {
  const shapes = isModbusProfile(profile) ? checkTagShapes(profile) : checkRanges(profile.tags);
  return [...checkSupportedTags(profile), ...checkRequiredCoverage(profile), ...shapes];
}

function checkRanges(tags: RegistryProfile['tags']): ErrorDetail[] {
  return Object.entries(tags)
    .filter(([, tag]) => tag.range && tag.range[0] > tag.range[1])
    .map(([name]) => ({ path: `/tags/${name}/range`, message: 'range is reversed' }));
}

function checkSupportedTags(profile: RegistryProfile): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  for (const name of profile.supported_tags.read) {
    const tag = profile.tags[name];
    if (!tag || !isReadable(tag))
      errors.push({ path: '/supported_tags/read', message: `${name} is not a readable tag` });
  }
  for (const name of profile.supported_tags.write) {
    const tag = profile.tags[name];
    if (!tag || !isWritable(tag))
      errors.push({ path: '/supported_tags/write', message: `${name} is not a writable tag` });
  }
  return errors;
}

function checkRequiredCoverage(profile: RegistryProfile): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const unsupported = new Set(profile.unsupported_required_tags);
  const supported = new Set([...profile.supported_tags.read, ...profile.supported_tags.write]);
  for (const name of [...REQUIRED_READ_TAGS, ...REQUIRED_WRITE_TAGS]) {
    if (supported.has(name) && unsupported.has(name)) {
      errors.push({
        path: '/unsupported_required_tags',
        message: `${name} is listed as supported and unsupported`,
      });
    }
    if (!supported.has(name) && !unsupported.has(name)) {
      errors.push({
        path: '/unsupported_required_tags',
        message: `${name} is required: support it or list it`,
      });
    }
  }
  return errors;
}

function checkTagShapes(profile: DeviceProfile): ErrorDetail[] {
  const errors: ErrorDetail[] = checkRanges(profile.tags);
  for (const [name, tag] of Object.entries(profile.tags)) {
    const path = `/tags/${name}`;
    if (tag.type === 'string' && tag.length === undefined)
      errors.push({ path, message: 'string tags need a length' });
    if (isWritable(tag) && tag.type !== 'string' && !tag.range && !tag.values) {
      errors.push({ path, message: 'a writable tag needs a range or values' });
    }
  }
  for (const [role, name] of Object.entries(profile.modbus.static_tags ?? {})) {
    if (profile.tags[name]?.type !== 'string') {
      errors.push({ path: `/modbus/static_tags/${role}`, message: `${name} is not a string tag` });
    }
  }
  return errors;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
