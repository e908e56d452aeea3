import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { readEnv } from '../../src/config/env.js';
import { PROJECT_ROOT } from '../../src/main.js';

const deploy = (name: string) => resolve(PROJECT_ROOT, 'deploy', name);

/** `Key=value` lines of a systemd unit's [Service] section (a key given twice keeps every value). */
function serviceSection(text: string): Map<string, string[]> {
  const section = text.split(/^\[/m).find((s) => s.startsWith('Service]')) ?? '';
  const keys = new Map<string, string[]>();
  for (const line of section.split('\n').slice(1)) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) keys.set(match[1] as string, [...(keys.get(match[1] as string) ?? []), match[2] as string]);
  }
  return keys;
}

/** The files an operator installs (docs/deployment.md) agree with each other and with swapd. */
describe('deploy/: the systemd unit, the configuration file and the secrets example', () => {
  const unit = serviceSection(readFileSync(deploy('swapd.service'), 'utf8'));
  const one = (key: string) => unit.get(key)?.[0];

  it('deploy/swapd.json is a valid configuration that keeps HTTP on loopback', () => {
    const config = loadConfig({ file: deploy('swapd.json'), env: {} });
    expect(config.http_host).toBe('127.0.0.1');
    expect(config.data_dir).toBe('/var/lib/swapd');
  });

  it('the unit runs the built swapd with that file, as its own user, restarted on failure', () => {
    expect(one('ExecStart')).toBe(
      '/usr/bin/node /opt/swapd/bin/swapd.js --config /etc/swapd/swapd.json start',
    );
    expect(one('User')).toBe('swapd');
    expect(one('Group')).toBe('swapd');
    expect(one('Restart')).toBe('on-failure');
    expect(one('EnvironmentFile')).toBe('-/etc/swapd/swapd.env');
    // The data directory of the configuration file is the one directory the unit lets it write.
    expect(one('StateDirectory')).toBe('swapd');
    expect(unit.get('ReadWritePaths')).toEqual(['/var/lib/swapd']);
  });

  it('every variable the secrets example names is one swapd reads', () => {
    const text = readFileSync(deploy('swapd.env.example'), 'utf8');
    const names = [...text.matchAll(/^#?\s*(SWAPD_[A-Z0-9_]+)=/gm)].map((m) => m[1] as string);
    expect(names.length).toBeGreaterThan(3);
    for (const name of names) {
      const { values } = readEnv({ [name]: name.endsWith('_URL') ? 'postgres://x@127.0.0.1/x' : 'value' });
      expect(Object.keys(values), name).toHaveLength(1);
    }
  });
});
