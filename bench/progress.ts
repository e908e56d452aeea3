/** One progress line on stderr: rewritten in place on a terminal, one line per phase otherwise. */
export class Progress {
  readonly #tty = Boolean(process.stderr.isTTY);
  #last = '';

  update(text: string): void {
    if (text === this.#last) return;
    this.#last = text;
    if (this.#tty) process.stderr.write(`\r\x1b[2K[bench] ${text}`);
  }

  /** A phase change: always written. */
  phase(text: string): void {
    this.#last = text;
    process.stderr.write(this.#tty ? `\r\x1b[2K[bench] ${text}` : `[bench] ${text}\n`);
  }

  done(): void {
    if (this.#tty) process.stderr.write('\r\x1b[2K');
  }
}
