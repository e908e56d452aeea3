import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports.js';

export interface MosquittoProcess {
  port: number;
  url: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
}

const PROJECT_CONF = resolve(import.meta.dirname, '../../config/mosquitto/swapd.conf');

/** The project's own Mosquitto configuration with the port (and, if asked, persistence) changed. */
function writeConfig(port: number, dir: string, persistent: boolean): string {
  let text = readFileSync(PROJECT_CONF, 'utf8').replace(/^listener \d+/m, `listener ${port}`);
  if (persistent) {
    text = text.replace(/^persistence false/m, `persistence true\npersistence_location ${dir}/`);
  }
  const path = join(dir, 'mosquitto.conf');
  writeFileSync(path, text);
  return path;
}

function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`mosquitto did not listen on ${port}`));
        else setTimeout(attempt, 30);
      });
    };
    attempt();
  });
}

/** Starts a Mosquitto process with the project's configuration on a free port. */
export async function startMosquitto(options: { persistent?: boolean } = {}): Promise<MosquittoProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'swapd-mosq-'));
  const conf = writeConfig(port, dir, options.persistent ?? false);
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.resume();
    await waitForPort(port);
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((done) => {
      c.once('exit', () => done());
      c.kill(signal);
    });
    child = null;
  };
  await launch();
  return { port, url: `mqtt://127.0.0.1:${port}`, stop, restart: launch };
}
