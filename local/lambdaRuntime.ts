// A local stand-in for the Lambda Node.js runtime: each execution environment is a forked
// `lambdaWorker.js` with the function's environment, its task root as cwd, and only the modules
// the real runtime provides (AWS SDK v3) on NODE_PATH, so code that runs here runs on Lambda.
import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface FunctionOptions {
  /** The function's name, as `AWS_LAMBDA_FUNCTION_NAME`. */
  name: string;
  /** The extracted archive (the task root); no folder above it may hold a `node_modules`. */
  codeDir: string;
  /** `<module>.<export>`, e.g. `__index.handler`. */
  handler: string;
  /** The function's variables, plus any AWS_* the caller adds (endpoint, region, credentials). */
  environment?: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  /**
   * The Node.js binary the environments run on (see nodeRuntime.ts); default this process's.
   * The runtime's variables name its major.
   */
  node?: { execPath: string; version: string };
  /**
   * Execution environments at once; invocations beyond that wait. Default 10. On AWS a function
   * scales to the account's concurrency (1,000 by default, less for new accounts: "Lambda quotas",
   * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); 10 lets a handful
   * of callers at once each have an environment, as there, without a process per request. With
   * 4, half of the load bench's 8 clients queued and create's p99 went past twice the floor's.
   */
  maxConcurrency?: number;
  /** Each line the function writes, as it comes, e.g. to print it with a prefix. */
  onLog?: (line: LogLine) => void;
  /**
   * Open the Node inspector in each execution environment, on a free loopback port; its
   * `Debugger listening on ws://…` line arrives as a log line. Default false.
   */
  inspect?: boolean;
  /** More Node.js flags for each environment, e.g. `--cpu-prof` for the bench's profile. */
  execArgv?: string[];
}

export interface LogLine {
  /** Absent for lines written outside an invocation (during init, or after a response). */
  requestId?: string;
  stream: "stdout" | "stderr";
  text: string;
}

export interface LambdaError {
  errorType: string;
  errorMessage: string;
}

export type InvokeOutcome = ({ result: unknown } | { error: LambdaError } | { timedOut: true }) & {
  requestId: string;
  /** The handler's run time, init excluded. */
  durationMs: number;
  /** The cold start's module load time, on the invocation that started an environment. */
  initDurationMs?: number;
  /** The execution environment's peak memory so far, in MB, as Lambda's REPORT line gives it. */
  maxMemoryUsedMb?: number;
  /** This invocation's lines, runtime lines (START, END, REPORT) included. */
  logs: string[];
};

export interface LambdaFunction {
  invoke(event: unknown, options?: { requestId?: string }): Promise<InvokeOutcome>;
  /** Every line written so far, in order. */
  readonly logs: LogLine[];
  /** Kills every environment; waiting invocations fail. */
  close(): Promise<void>;
}

const WORKER = path.join(__dirname, "lambdaWorker.js");
/**
 * Lambda's limit for a synchronous invocation's payload, request and response alike, in bytes
 * of JSON: "6 MB" on the quotas page, 6,291,556 in the ResponseSizeTooLarge error it returns.
 */
export const MAX_SYNC_PAYLOAD_BYTES = 6_291_556;

/** Lambda's RequestEntityTooLargeException: the event is over the payload limit. */
export class RequestTooLarge extends Error {
  constructor(bytes: number) {
    super(
      `${bytes} byte payload is too large for the RequestResponse invocation type (limit ${MAX_SYNC_PAYLOAD_BYTES} bytes)`,
    );
    this.name = "RequestEntityTooLargeException";
  }
}
/** Lambda's limit for an on-demand init phase. */
const INIT_TIMEOUT_MS = 10_000;

interface Running {
  requestId: string;
  logs: string[];
  /** The environment's peak resident memory when it answered, in KiB. */
  maxRssKb?: number;
  settle(outcome: { result: unknown } | { error: LambdaError }): void;
}

interface Environment {
  child: ChildProcess;
  /** Resolves with the init duration once the handler is loaded. */
  ready: Promise<number>;
  initialized: boolean;
  running?: Running;
  partial: Record<LogLine["stream"], string>;
}

const RESPONSE_TOO_LARGE: LambdaError = {
  errorType: "Function.ResponseSizeTooLarge",
  errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_SYNC_PAYLOAD_BYTES} bytes).`,
};

/** The runtime's modules folder, while any function uses it: how many do. */
let runtimeModules: { dir: string; users: number } | undefined;

/**
 * The folder on NODE_PATH: `@aws-sdk` linked to the project's copy, and nothing else, as the
 * runtime's own `node_modules`. The SDK's dependencies resolve from its real location. Shared by
 * the functions that run at once and removed when the last one closes (or the process exits),
 * so no `lambda-runtime-*` folder outlives the stack.
 */
function acquireRuntimeModules(): string {
  if (!runtimeModules) {
    const sdk = path.dirname(
      path.dirname(require.resolve("@aws-sdk/client-dynamodb/package.json")),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-runtime-"));
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(sdk, path.join(dir, "node_modules", "@aws-sdk"), "dir");
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    runtimeModules = { dir, users: 0 };
  }
  runtimeModules.users++;
  return path.join(runtimeModules.dir, "node_modules");
}

function releaseRuntimeModules(): void {
  if (!runtimeModules || --runtimeModules.users > 0) return;
  fs.rmSync(runtimeModules.dir, { recursive: true, force: true });
  runtimeModules = undefined;
}

/** Node looks for modules in every parent's `node_modules`; Lambda's /var/task has none above. */
function assertIsolated(taskRoot: string): void {
  for (let dir = path.dirname(taskRoot); ; dir = path.dirname(dir)) {
    const modules = path.join(dir, "node_modules");
    if (fs.existsSync(modules)) {
      throw new Error(`task root ${taskRoot} can reach ${modules}: extract it under os.tmpdir()`);
    }
    if (path.dirname(dir) === dir) return;
  }
}

export function startFunction(options: FunctionOptions): LambdaFunction {
  const taskRoot = fs.realpathSync(options.codeDir);
  assertIsolated(taskRoot);
  const maxConcurrency = options.maxConcurrency ?? 10;
  const timeoutMs = options.timeoutSeconds * 1000;
  const node = options.node ?? { execPath: process.execPath, version: process.version };
  const nodeMajor = node.version.slice(1).split(".")[0];
  const region = options.environment?.AWS_REGION ?? process.env.AWS_REGION ?? "us-east-1";
  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    LANG: "en_US.UTF-8",
    TZ: "UTC",
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    // The SDK warns about an old host Node.js; the nodejs24.x runtime it stands in for would not.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...options.environment,
    AWS_LAMBDA_FUNCTION_NAME: options.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${options.name}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${nodeMajor}.x`,
    _HANDLER: options.handler,
    LAMBDA_TASK_ROOT: taskRoot,
    NODE_PATH: acquireRuntimeModules(),
  };

  const logs: LogLine[] = [];
  const all = new Set<Environment>();
  const idle: Environment[] = [];
  const waiting: { resolve(env: Environment): void; reject(error: Error): void }[] = [];
  let closed = false;

  function emit(env: Environment | undefined, stream: LogLine["stream"], text: string): void {
    const line: LogLine = { requestId: env?.running?.requestId, stream, text };
    logs.push(line);
    env?.running?.logs.push(text);
    options.onLog?.(line);
  }

  function write(env: Environment, stream: LogLine["stream"], text: string): void {
    const lines = (env.partial[stream] + text).split("\n");
    env.partial[stream] = lines.pop() ?? "";
    for (const line of lines) emit(env, stream, line);
  }

  function flush(env: Environment): void {
    for (const stream of ["stdout", "stderr"] as const) {
      if (env.partial[stream]) emit(env, stream, env.partial[stream]);
      env.partial[stream] = "";
    }
  }

  function spawn(): Environment {
    const logStream = `${new Date().toISOString().slice(0, 10).replace(/-/g, "/")}/[$LATEST]${randomBytes(16).toString("hex")}`;
    const child = fork(WORKER, [], {
      execPath: node.execPath,
      cwd: taskRoot,
      env: { ...baseEnv, AWS_LAMBDA_LOG_STREAM_NAME: logStream },
      // Not the parent's flags (ts-node); the heap capped near the memory size, as Lambda does.
      execArgv: [
        `--max-old-space-size=${Math.floor(options.memoryMb * 0.9)}`,
        ...(options.inspect ? ["--inspect=127.0.0.1:0"] : []),
        ...(options.execArgv ?? []),
      ],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    let ready!: (initMs: number) => void;
    let failed!: (error: LambdaError) => void;
    const env: Environment = {
      child,
      ready: new Promise((resolve, reject) => ((ready = resolve), (failed = reject))),
      initialized: false,
      partial: { stdout: "", stderr: "" },
    };
    env.ready.catch(() => undefined);
    // Output that bypasses the worker's capture (native writes, Node's own crash report).
    child.stdout?.on("data", (chunk: Buffer) => write(env, "stdout", chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => write(env, "stderr", chunk.toString("utf8")));
    child.on("message", (message: WorkerMessage) => {
      if (message.type === "log") write(env, message.stream, message.text);
      else if (message.type === "ready") ready(message.initDurationMs);
      else if (message.type === "initError") failed(message.error);
      else if (message.type === "done") {
        // The environment is exiting: it takes no further invocation.
        if ("fatal" in message) retire(env);
        if (env.running) env.running.maxRssKb = message.maxRssKb;
        env.running?.settle(
          "error" in message
            ? { error: message.error }
            : Buffer.byteLength(message.payload) > MAX_SYNC_PAYLOAD_BYTES
              ? { error: RESPONSE_TOO_LARGE }
              : { result: JSON.parse(message.payload) },
        );
      }
    });
    child.on("error", (error) =>
      failed({ errorType: "Runtime.ExitError", errorMessage: error.message }),
    );
    child.on("exit", (code, signal) => {
      const reason = `Runtime exited with error: ${signal ?? `exit status ${code}`}`;
      failed({ errorType: "Runtime.ExitError", errorMessage: reason });
      const running = env.running;
      running?.settle({
        error: {
          errorType: "Runtime.ExitError",
          errorMessage: `RequestId: ${running.requestId} Error: ${reason}`,
        },
      });
      retire(env);
    });
    all.add(env);
    return env;
  }

  function acquire(): Promise<Environment> {
    const env = idle.pop();
    if (env) return Promise.resolve(env);
    if (all.size < maxConcurrency) return Promise.resolve(spawn());
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  }

  function release(env: Environment): void {
    if (!all.has(env)) return;
    const next = waiting.shift();
    if (next) next.resolve(env);
    else idle.push(env);
  }

  /** Frees an environment's slot, for the next waiting invocation if any. */
  function retire(env: Environment): void {
    if (!all.delete(env)) return;
    if (idle.includes(env)) idle.splice(idle.indexOf(env), 1);
    if (!closed) waiting.shift()?.resolve(spawn());
  }

  /** Lambda resets an environment whose invocation timed out: the next one starts cold. */
  function kill(env: Environment): void {
    retire(env);
    env.child.kill("SIGKILL");
  }

  /** Runs `step` with a time limit; undefined when the limit passed first. */
  function within<T>(ms: number, step: Promise<T>): Promise<T | undefined> {
    let expire!: () => void;
    const expired = new Promise<undefined>((resolve) => (expire = () => resolve(undefined)));
    const timer = setTimeout(expire, ms);
    return Promise.race([step, expired]).finally(() => clearTimeout(timer));
  }

  async function invoke(event: unknown, invokeOptions: { requestId?: string } = {}) {
    if (closed) throw new Error(`function ${options.name} is closed`);
    const bytes = Buffer.byteLength(JSON.stringify(event ?? null));
    if (bytes > MAX_SYNC_PAYLOAD_BYTES) throw new RequestTooLarge(bytes);
    const requestId = invokeOptions.requestId ?? randomUUID();
    const env = await acquire();
    const invocationLogs: string[] = [];
    let started = Date.now();
    const runtimeLine = (text: string) => {
      logs.push({ requestId, stream: "stdout", text });
      invocationLogs.push(text);
      options.onLog?.({ requestId, stream: "stdout", text });
    };
    const outcome = (
      result: { result: unknown } | { error: LambdaError } | { timedOut: true },
      initDurationMs?: number,
    ): InvokeOutcome => ({
      ...result,
      requestId,
      durationMs: Date.now() - started,
      initDurationMs,
      logs: invocationLogs,
    });

    let initDurationMs: number | undefined;
    if (!env.initialized) {
      try {
        initDurationMs = await within(INIT_TIMEOUT_MS, env.ready);
      } catch (error) {
        kill(env);
        runtimeLine(`INIT_REPORT RequestId: ${requestId}\tStatus: error`);
        return outcome({ error: error as LambdaError });
      }
      if (initDurationMs === undefined) {
        kill(env);
        runtimeLine(`INIT_REPORT RequestId: ${requestId}\tStatus: timeout`);
        return outcome({ timedOut: true });
      }
      env.initialized = true;
    }

    started = Date.now();
    runtimeLine(`START RequestId: ${requestId} Version: $LATEST`);
    let running!: Running;
    const done = new Promise<{ result: unknown } | { error: LambdaError }>((settle) => {
      running = env.running = { requestId, logs: invocationLogs, settle };
    });
    // A failed send means the environment died: its exit settles the invocation.
    env.child.send({ requestId, event, deadline: Date.now() + timeoutMs }, () => undefined);
    const answer = await within(timeoutMs, done);
    flush(env);
    env.running = undefined;
    if (answer === undefined) {
      kill(env);
      runtimeLine(
        `${new Date().toISOString()} ${requestId} Task timed out after ${options.timeoutSeconds.toFixed(2)} seconds`,
      );
    } else {
      release(env);
    }
    runtimeLine(`END RequestId: ${requestId}`);
    const init =
      initDurationMs === undefined ? "" : `\tInit Duration: ${initDurationMs.toFixed(2)} ms`;
    const maxMemoryUsedMb =
      running.maxRssKb === undefined ? undefined : Math.ceil(running.maxRssKb / 1024);
    const used = maxMemoryUsedMb === undefined ? "" : `\tMax Memory Used: ${maxMemoryUsedMb} MB`;
    runtimeLine(
      `REPORT RequestId: ${requestId}\tDuration: ${Date.now() - started} ms\tMemory Size: ${options.memoryMb} MB${used}${init}`,
    );
    return { ...outcome(answer ?? { timedOut: true }, initDurationMs), maxMemoryUsedMb };
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    for (const w of waiting.splice(0)) w.reject(new Error(`function ${options.name} is closed`));
    const exits = [...all].map(
      (env) => new Promise<void>((resolve) => env.child.once("exit", () => resolve())),
    );
    for (const env of [...all]) {
      if (env.running || !env.child.connected) {
        kill(env);
        continue;
      }
      // An idle environment exits on its own when its channel closes (and writes what its flags
      // ask at exit, such as the bench's --cpu-prof); one that lingers is killed.
      retire(env);
      env.child.disconnect();
      setTimeout(() => env.child.kill("SIGKILL"), 2000).unref();
    }
    await Promise.all(exits);
    releaseRuntimeModules();
  }

  return { invoke, logs, close };
}

type WorkerMessage =
  | { type: "log"; stream: LogLine["stream"]; text: string }
  | { type: "ready"; initDurationMs: number }
  | { type: "initError"; error: LambdaError }
  | { type: "done"; payload: string; maxRssKb?: number }
  | { type: "done"; error: LambdaError; fatal?: true; maxRssKb?: number };
