// State the harness modules share (the test being run, the describe being declared, the
// worker's info), where user code is in a stack, and the error that skips a test.

/** `running`: the test being run (`{ test, info, steps, stepStack, handlerErrors }`) or null;
 * `currentSuite`: the describe tests are being declared in; `workerInfo`: for worker fixtures. */
export const state = { running: null, currentSuite: null, workerInfo: {}, lateErrors: [] };

/** The first stack frame in user code: `{ file, line, column }` with `file` root-relative. */
export function callerLocation(depthHint) {
  const stack = new Error().stack?.split("\n") ?? [];
  for (const line of stack.slice(depthHint ?? 1)) {
    const m = /(file:\/\/\/[^\s()]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (m) return { file: decodeURI(m[1].slice("file:///".length)), line: Number(m[2]), column: Number(m[3]) };
  }
  return { file: "", line: 0, column: 0 };
}


export class SkipError extends Error {
  constructor(type, description) {
    super(description ?? type);
    this.skipType = type;
    this.description = description;
  }
}
