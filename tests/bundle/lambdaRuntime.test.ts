// The Lambda runtime emulator itself, on tiny task roots: what a handler can load and see, how
// results, errors and logs come back, timeouts, and one invocation per environment at a time.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MAX_SYNC_PAYLOAD_BYTES, RequestTooLarge, startFunction } from "../../local/lambdaRuntime";
import type { FunctionOptions, InvokeOutcome, LambdaFunction } from "../../local/lambdaRuntime";
import { nodeFor } from "../../local/nodeRuntime";

const HANDLERS = `
exports.probe = async (event, context) => {
  const found = (name) => {
    try { require(name); return "found"; } catch (error) { return error.code; }
  };
  return {
    cwd: process.cwd(),
    env: process.env,
    context: { ...context, remaining: context.getRemainingTimeInMillis() },
    modules: Object.fromEntries(
      ["@aws-sdk/client-dynamodb", "@aws-sdk/util-dynamodb", "@smithy/core", "mime", "dynalite", "@pulumi/pulumi"]
        .map((name) => [name, found(name)]),
    ),
  };
};
exports.sleep = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, event.ms));
  return { slept: event.ms };
};
let busy = false;
exports.exclusive = async () => {
  const overlapped = busy;
  busy = true;
  await new Promise((resolve) => setTimeout(resolve, 100));
  busy = false;
  return { pid: process.pid, overlapped };
};
exports.callback = (event, context, callback) => setTimeout(() => callback(null, { echo: event }), 10);
exports.fails = async () => { throw new TypeError("no such thing"); };
exports.sized = async (event) => "A".repeat(event.n);
exports.version = async () => ({ node: process.version, env: process.env.AWS_EXECUTION_ENV });
exports.chatty = async (event) => {
  console.log("hello", event.who);
  console.error("oops %d", 42);
  process.stdout.write("raw line\\n");
  return "ok";
};
exports.crashes = async () => { setTimeout(() => { throw new Error("late"); }, 0); await new Promise(() => {}); };
`;

function outcomeKind(outcome: InvokeOutcome): string {
  return "result" in outcome ? "result" : "error" in outcome ? "error" : "timedOut";
}

function resultOf(outcome: InvokeOutcome): unknown {
  if (!("result" in outcome)) assert.fail(`no result: ${JSON.stringify(outcome)}`);
  return outcome.result;
}

describe("Lambda runtime emulator", () => {
  let taskRoot: string;
  const started: LambdaFunction[] = [];
  const start = (handler: string, options: Partial<FunctionOptions> = {}) => {
    const fn = startFunction({
      name: `emulator-${handler}`,
      codeDir: taskRoot,
      handler: `index.${handler}`,
      environment: { GREETING: "hi", AWS_REGION: "ap-northeast-2" },
      timeoutSeconds: 3,
      memoryMb: 128,
      ...options,
    });
    started.push(fn);
    return fn;
  };

  before(() => {
    taskRoot = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-emulator-test-"));
    fs.writeFileSync(path.join(taskRoot, "index.js"), HANDLERS);
  });

  after(async () => {
    await Promise.all(started.map((fn) => fn.close()));
    fs.rmSync(taskRoot, { recursive: true, force: true });
  });

  it("provides the AWS SDK and nothing else from the project's node_modules", async () => {
    const probe = resultOf(await start("probe").invoke({})) as { modules: Record<string, string> };
    assert.deepEqual(probe.modules, {
      "@aws-sdk/client-dynamodb": "found",
      "@aws-sdk/util-dynamodb": "found",
      "@smithy/core": "MODULE_NOT_FOUND",
      mime: "MODULE_NOT_FOUND",
      dynalite: "MODULE_NOT_FOUND",
      "@pulumi/pulumi": "MODULE_NOT_FOUND",
    });
  });

  it("runs in the task root with the function's and the runtime's variables and a context", async () => {
    const fn = start("probe", { memoryMb: 256 });
    const outcome = await fn.invoke({}, { requestId: "req-1" });
    const probe = resultOf(outcome) as {
      cwd: string;
      env: Record<string, string>;
      context: Record<string, unknown>;
    };
    assert.equal(probe.cwd, fs.realpathSync(taskRoot));
    assert.equal(probe.env.GREETING, "hi");
    assert.equal(probe.env.AWS_REGION, "ap-northeast-2");
    assert.equal(probe.env.AWS_DEFAULT_REGION, "ap-northeast-2");
    assert.equal(probe.env.AWS_LAMBDA_FUNCTION_NAME, "emulator-probe");
    assert.equal(probe.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, "256");
    assert.equal(probe.env.AWS_LAMBDA_FUNCTION_VERSION, "$LATEST");
    assert.equal(probe.env._HANDLER, "index.probe");
    assert.equal(probe.env.LAMBDA_TASK_ROOT, fs.realpathSync(taskRoot));
    assert.ok(!probe.env.NODE_PATH.includes(path.delimiter), "NODE_PATH is one folder");
    assert.deepEqual(fs.readdirSync(probe.env.NODE_PATH), ["@aws-sdk"]);
    assert.ok(!Object.keys(probe.env).some((k) => k.startsWith("npm_") || k === "HOME"));
    assert.equal(probe.context.awsRequestId, "req-1");
    assert.equal(probe.context.functionName, "emulator-probe");
    assert.equal(probe.context.functionVersion, "$LATEST");
    assert.equal(
      probe.context.invokedFunctionArn,
      "arn:aws:lambda:ap-northeast-2:123456789012:function:emulator-probe",
    );
    assert.equal(probe.context.memoryLimitInMB, "256");
    assert.equal(probe.context.logGroupName, "/aws/lambda/emulator-probe");
    assert.match(
      String(probe.context.logStreamName),
      /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/,
    );
    assert.equal(probe.context.callbackWaitsForEmptyEventLoop, true);
    const remaining = probe.context.remaining as number;
    assert.ok(remaining > 2000 && remaining <= 3000, `${remaining} ms remaining`);
    assert.equal(outcome.requestId, "req-1");
    assert.equal(typeof outcome.initDurationMs, "number", "the first invocation is a cold start");
    const warm = await fn.invoke({});
    assert.equal(warm.initDurationMs, undefined, "the second one is warm");
  });

  it("refuses a task root that can reach a node_modules folder", () => {
    assert.throws(
      () =>
        startFunction({
          ...{ name: "x", handler: "index.h", timeoutSeconds: 1, memoryMb: 128 },
          codeDir: __dirname,
        }),
      /can reach .*node_modules/,
    );
  });

  it("supports callback handlers and reports errors as errorType and errorMessage", async () => {
    assert.deepEqual(resultOf(await start("callback").invoke({ a: 1 })), { echo: { a: 1 } });
    const failed = await start("fails").invoke({});
    assert.ok("error" in failed);
    assert.deepEqual(failed.error, { errorType: "TypeError", errorMessage: "no such thing" });
    const missing = await start("nothing").invoke({});
    assert.ok("error" in missing);
    assert.equal(missing.error.errorType, "Runtime.HandlerNotFound");
  });

  it("captures each invocation's output, console lines in the runtime's format", async () => {
    const lines: string[] = [];
    const fn = start("chatty", { onLog: (line) => lines.push(`[chatty] ${line.text}`) });
    const outcome = await fn.invoke({ who: "you" }, { requestId: "req-2" });
    assert.equal(resultOf(outcome), "ok");
    const written = outcome.logs.filter((l) => !/^(START|END|REPORT) /.test(l));
    assert.equal(written.length, 3);
    assert.match(written[0], /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\treq-2\tINFO\thello you$/);
    assert.match(written[1], /\treq-2\tERROR\toops 42$/);
    assert.equal(written[2], "raw line");
    assert.equal(outcome.logs[0], "START RequestId: req-2 Version: $LATEST");
    assert.match(
      outcome.logs[outcome.logs.length - 1],
      /^REPORT RequestId: req-2\tDuration: \d+ ms/,
    );
    assert.ok(lines.includes("[chatty] raw line"));
    assert.ok(fn.logs.every((l) => l.requestId === "req-2"));
  });

  it("kills an environment on timeout, and the next invocation starts cold", async function () {
    this.timeout(10_000);
    const fn = start("sleep", { timeoutSeconds: 1 });
    const first = await fn.invoke({ ms: 0 });
    const slow = await fn.invoke({ ms: 3000 });
    assert.equal(outcomeKind(slow), "timedOut");
    assert.ok(slow.durationMs >= 1000 && slow.durationMs < 2000, `${slow.durationMs} ms`);
    assert.ok(slow.logs.some((l) => l.endsWith("Task timed out after 1.00 seconds")));
    const next = await fn.invoke({ ms: 10 });
    assert.deepEqual(resultOf(next), { slept: 10 });
    assert.equal(typeof first.initDurationMs, "number");
    assert.equal(typeof next.initDurationMs, "number", "a new environment");
  });

  it("fails the invocation whose environment crashes, and recovers", async () => {
    const fn = start("crashes");
    const outcome = await fn.invoke({});
    assert.ok("error" in outcome, JSON.stringify(outcome));
    assert.equal(outcome.error.errorType, "Runtime.UncaughtException");
    assert.equal(outcome.error.errorMessage, "late");
    const again = await fn.invoke({});
    assert.ok("error" in again);
    assert.equal(again.error.errorType, "Runtime.UncaughtException", "a new environment ran it");
  });

  it("runs at most maxConcurrency environments, one invocation each, and queues the rest", async () => {
    const fn = start("exclusive", { maxConcurrency: 2 });
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => fn.invoke({})));
    const results = outcomes.map(resultOf) as { pid: number; overlapped: boolean }[];
    assert.equal(new Set(results.map((r) => r.pid)).size, 2);
    assert.ok(results.every((r) => !r.overlapped));
    assert.equal(outcomes.filter((o) => o.initDurationMs !== undefined).length, 2);
  });

  it("closes: running and waiting invocations fail, and later ones are refused", async () => {
    const fn = start("sleep", { maxConcurrency: 1 });
    const running = fn.invoke({ ms: 5000 });
    const waiting = fn.invoke({ ms: 0 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await fn.close();
    await assert.rejects(waiting, /closed/);
    assert.equal(outcomeKind(await running), "error");
    await assert.rejects(fn.invoke({}), /closed/);
  });

  it("runs on the Node.js it is given, and names that runtime", async () => {
    const node = nodeFor("nodejs24.x");
    const outcome = await start("version", { node }).invoke({});
    assert.deepEqual(resultOf(outcome), { node: node.version, env: "AWS_Lambda_nodejs24.x" });
  });

  it("holds a response to Lambda's 6,291,556-byte payload limit, as JSON bytes", async () => {
    const fn = start("sized");
    // A string of n letters is n + 2 bytes of JSON.
    const atLimit = await fn.invoke({ n: MAX_SYNC_PAYLOAD_BYTES - 2 });
    assert.equal((resultOf(atLimit) as string).length, MAX_SYNC_PAYLOAD_BYTES - 2);
    const over = await fn.invoke({ n: MAX_SYNC_PAYLOAD_BYTES - 1 });
    assert.ok("error" in over);
    assert.deepEqual(over.error, {
      errorType: "Function.ResponseSizeTooLarge",
      errorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
    });
  });

  it("refuses an event over the payload limit before any environment runs it", async () => {
    const fn = start("probe");
    const event = { body: "x".repeat(MAX_SYNC_PAYLOAD_BYTES) };
    await assert.rejects(fn.invoke(event), (err: unknown) => err instanceof RequestTooLarge);
    assert.deepEqual(fn.logs, [], "nothing started");
  });

  it("opens the Node inspector in each environment when asked, and says where", async () => {
    const lines: string[] = [];
    const fn = start("probe", { inspect: true, onLog: (line) => lines.push(line.text) });
    assert.equal(outcomeKind(await fn.invoke({})), "result");
    const listening = lines.find((l) => l.startsWith("Debugger listening on ws://127.0.0.1:"));
    assert.ok(listening, lines.join("\n"));
    const url = new URL(listening.slice("Debugger listening on ".length).trim());
    const targets = (await (await fetch(`http://${url.host}/json/list`)).json()) as unknown[];
    assert.equal(targets.length, 1, "the inspector answers");
  });
});
