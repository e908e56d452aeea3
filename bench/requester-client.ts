import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadResult, RequesterMessage, RunCommand } from './load-protocol.js';

/** Compiled (dist/, plain Node) or from the sources (through tsx). */
const COMPILED = import.meta.url.endsWith('.js');
const SCRIPT = fileURLToPath(new URL(`./requester-process.${COMPILED ? 'js' : 'ts'}`, import.meta.url));

/** The runner's handle on the requester process (a separate Node process; through tsx from the sources). */
export class RequesterProcess {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, (m: RequesterMessage) => void>();
  #nextId = 1;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (m: RequesterMessage) => {
      this.#waiting.get(m.id)?.(m);
      this.#waiting.delete(m.id);
    });
  }

  static start(): RequesterProcess {
    const child = fork(SCRIPT, [], {
      execArgv: COMPILED ? [] : ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new RequesterProcess(child);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  run(command: Omit<RunCommand, 'type' | 'id'>): Promise<LoadResult> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const onExit = () => reject(new Error('the requester process exited'));
      this.#child.once('exit', onExit);
      this.#waiting.set(id, (m) => {
        this.#child.off('exit', onExit);
        if (m.type === 'result') resolve(m.result);
        else reject(new Error(`requester: ${m.message}`));
      });
      this.#child.send({ ...command, type: 'run', id } satisfies RunCommand);
    });
  }

  forgetBroker(url: string): void {
    this.#child.send({ type: 'close-broker', url });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.send({ type: 'exit' });
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
}
