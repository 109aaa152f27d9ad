// What `npm run invoke` and `npm run schedule` share: reaching the stack (a running `npm start`
// through its control file, or else the stack stood up for this one command on the same kept
// data and closed after it), and the exit codes: 0 done, 1 it ran and failed, 2 bad input.
import type { Writable } from "node:stream";
import { connectControl } from "./control";
import { demoUserFor } from "./demoUser";
import type { StackControl } from "./control";
import { controlFile, localDataDir, startLocalStack } from "./localStack";

/** Input the command cannot take: exit code 2, with this message. */
export class BadInput extends Error {}

export interface CommandIo {
  stdout: Writable;
  stderr: Writable;
  /** Read for `--event -`. */
  stdin: NodeJS.ReadableStream;
  /** The stack's data folder; default `.local/<stack>`. */
  dataDir?: (stack: string) => string;
}

export const EXIT = { done: 0, failed: 1, badInput: 2 } as const;

/**
 * Runs `use` against the stack: the running npm start's, or one stood up here (quietly, on free
 * ports and the same kept data) and closed once `use` is done.
 */
export async function withStack<T>(
  stack: string,
  io: CommandIo,
  use: (control: StackControl) => Promise<T>,
): Promise<T> {
  const dataDir = (io.dataDir ?? localDataDir)(stack);
  const running = connectControl(controlFile(dataDir));
  if (running) return use(running);
  const started = Date.now();
  const local = await startLocalStack({
    stack,
    dataDir,
    ports: { site: 0, api: 0, dynamodb: 0, s3: 0 },
    demoUser: demoUserFor(stack),
  });
  io.stderr.write(
    `(no npm start of ${stack} is running: the stack was stood up for this command in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s, on its kept data)\n`,
  );
  try {
    return await use(local.control);
  } finally {
    await local.close();
  }
}

/** Reads a whole stream as text. */
export function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer | string) => chunks.push(Buffer.from(c)));
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}
