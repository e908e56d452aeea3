/** A line of an access file that was not understood: reported, skipped, never thrown. */
export interface FileProblem {
  readonly line: number;
  readonly message: string;
}
