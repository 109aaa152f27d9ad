// One Lambda execution environment: forked by `lambdaRuntime.ts` with the function's
// environment, cwd at the task root and NODE_PATH at the runtime-provided modules. It loads the
// handler once (the cold start), then runs one invocation at a time, as the Node.js runtime does.
// Plain CommonJS with no dependencies, so that it starts as fast as the real runtime's bootstrap.
"use strict";
const path = require("node:path");
const util = require("node:util");

const taskRoot = process.env.LAMBDA_TASK_ROOT;
const handlerName = process.env._HANDLER;
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
const region = process.env.AWS_REGION;

/** The invocation in flight. */
let current;

function send(message, then) {
  if (process.connected) process.send(message, then);
  else if (then) then();
}
// The parent is gone: so is this environment.
process.on("disconnect", () => process.exit(0));

// Everything the handler writes goes to the parent over IPC, in order with the results, so each
// line is attributed to the invocation that wrote it.
for (const stream of ["stdout", "stderr"]) {
  process[stream].write = (chunk, encoding, done) => {
    send({ type: "log", stream, text: String(chunk) });
    if (typeof encoding === "function") encoding();
    else if (typeof done === "function") done();
    return true;
  };
}

// The runtime's text log format: time, request id, level, message.
const levels = {
  log: "INFO",
  info: "INFO",
  debug: "DEBUG",
  warn: "WARN",
  error: "ERROR",
  trace: "TRACE",
};
for (const [method, level] of Object.entries(levels)) {
  const stream = level === "WARN" || level === "ERROR" ? process.stderr : process.stdout;
  console[method] = (...args) => {
    const requestId = current ? current.requestId : "undefined";
    stream.write(`${new Date().toISOString()}\t${requestId}\t${level}\t${util.format(...args)}\n`);
  };
}

function errorOf(error) {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message };
  return { errorType: typeof error, errorMessage: String(error) };
}

function finish(outcome, then) {
  if (!current) return then && then();
  current = undefined;
  // The environment's peak resident memory so far, as the runtime reports "Max Memory Used".
  const maxRssKb = process.resourceUsage().maxRSS;
  send({ type: "done", ...outcome, maxRssKb }, then);
}

/** The callback of one invocation: the first answer counts, later ones and stale ones do not. */
function settler(requestId) {
  return (error, result) => {
    if (!current || current.requestId !== requestId) return;
    if (error !== undefined && error !== null) return finish({ error: errorOf(error) });
    // The runtime answers with the JSON of the result, so whatever JSON drops is dropped here.
    let payload;
    try {
      payload = JSON.stringify(result === undefined ? null : result);
    } catch (e) {
      return finish({
        error: { errorType: "Runtime.MarshalError", errorMessage: errorOf(e).errorMessage },
      });
    }
    finish({ payload });
  };
}

// An error escaping the handler fails the invocation and ends the environment, as on Lambda.
function crash(errorType) {
  return (error) => {
    const { errorMessage } = errorOf(error);
    console.error(`${errorType}: ${error && error.stack ? error.stack : errorMessage}`);
    finish({ error: { errorType, errorMessage }, fatal: true }, () => process.exit(129));
  };
}
process.on("uncaughtException", crash("Runtime.UncaughtException"));
process.on("unhandledRejection", crash("Runtime.UnhandledPromiseRejection"));

function context(requestId, deadline, done) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done,
    succeed: (result) => done(null, result),
    fail: (error) => done(error),
  };
}

function invoke({ requestId, event, deadline }, handler) {
  current = { requestId };
  const settle = settler(requestId);
  try {
    const returned = handler(event, context(requestId, deadline, settle), settle);
    if (returned && typeof returned.then === "function") {
      returned.then(
        (result) => settle(null, result),
        (error) => settle(error),
      );
    } else if (handler.length < 3) {
      // Neither a promise nor a callback: the runtime answers with null.
      settle(null, returned);
    }
  } catch (error) {
    settle(error);
  }
}

// The cold start: load the module the way the runtime does and find the exported handler.
const dot = handlerName.lastIndexOf(".");
const started = process.hrtime.bigint();
let handler;
try {
  const loaded = require(path.join(taskRoot, `${handlerName.slice(0, dot)}.js`));
  handler = loaded[handlerName.slice(dot + 1)];
  if (typeof handler !== "function") {
    throw Object.assign(new Error(`${handlerName} is undefined or not exported`), {
      name: "Runtime.HandlerNotFound",
    });
  }
} catch (error) {
  const { errorType, errorMessage } = errorOf(error);
  const type = errorType.startsWith("Runtime.") ? errorType : "Runtime.ImportModuleError";
  console.error(`${type}: ${errorMessage}`);
  send({ type: "initError", error: { errorType: type, errorMessage } });
}
if (handler) {
  const initDurationMs = Number(process.hrtime.bigint() - started) / 1e6;
  process.on("message", (message) => invoke(message, handler));
  send({ type: "ready", initDurationMs });
}
