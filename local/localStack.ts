// The whole application of a stack on this machine, built from what the program declares: its
// tables in the DynamoDB emulator, its buckets in the S3 emulator, its functions' archives in
// the Lambda runtime emulator, its API's resources and methods behind a local API Gateway, its
// site's objects on a local website, its EventBridge rules and state machines, and every
// DynamoDB and S3 call checked against the calling function's declared role policy.
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { siteConfigScript } from "../infra/siteConfig";
import type { SiteRuntimeConfig } from "../infra/siteConfig";
import { startCognitoEmulator } from "./cognito";
import type { CognitoEmulator } from "./cognito";
import { ControlRefusal, serveControl } from "./control";
import type { FiredTarget, StackControl } from "./control";
import { lockDataDir } from "./dataLock";
import { startDynamoEmulator } from "./dynamodb";
import { UnknownRule, objectCreatedEvent, startEventBus } from "./eventBus";
import type { EventBus } from "./eventBus";
import { startGateway } from "./gateway";
import { accessDeniedMessage, evaluate } from "./iam";
import { extractArchive } from "./lambdaArchive";
import { RequestTooLarge, startFunction } from "./lambdaRuntime";
import { nodeFor } from "./nodeRuntime";
import type { InvokeOutcome, LambdaFunction, LogLine } from "./lambdaRuntime";
import { buildModel } from "./model";
import type { LocalApp, LocalFunction } from "./model";
import { recordStack } from "./recordStack";
import { describePlan, planReload, programErrorLine, workerKey } from "./reloadPlan";
import type { ReloadPlan } from "./reloadPlan";
import type { RecordedStack } from "./recordStack";
import { startS3Emulator } from "./s3";
import type { S3RequestEntry } from "./s3";
import { startStepFunctions } from "./stepFunctions";
import type { LocalStepFunctions } from "./stepFunctions";
import { REPO_ROOT } from "./stackConfig";
import { ensureTables } from "./tables";
import type { TableMismatch } from "./tables";
import { startWebsite } from "./website";
import { pointSiteHeadersAt } from "./cloudfront";
import { loopbackCertificate } from "./tls";

export type { TableMismatch };

export interface LocalStackOptions {
  /** Default `dev`. */
  stack?: string;
  /**
   * The stack's kept data: DynamoDB's under `dynamodb/`, S3's under `s3/`, and while it runs
   * the control file (control.ts); default `.local/<stack>`.
   */
  dataDir?: string;
  /** Start with empty tables and buckets. */
  fresh?: boolean;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default for each) picks a free port. */
  ports?: { site?: number; api?: number; dynamodb?: number; s3?: number };
  /** Changes what the program declared before it is stood up (tests remove a grant this way). */
  rewrite?: (recorded: RecordedStack) => void;
  /** One line per request: method, path, status, function, duration. */
  onRequest?: (line: string) => void;
  /** Open the Node inspector in every function's execution environments (`npm start --inspect`). */
  inspect?: boolean;
  /** More Node.js flags for every execution environment (the bench's `--profile`). */
  workerExecArgv?: string[];
  /** Each function's own log output. */
  onFunctionLog?: (functionName: string, line: LogLine) => void;
  /** Each line of the user pool emulator's log (the codes it would email among them). */
  onCognitoLog?: (line: string) => void;
  /** A confirmed user to create in the (first) user pool, ready to sign in. */
  demoUser?: { email: string; password: string };
  /** One entry per S3 request. */
  onS3Request?: (entry: S3RequestEntry) => void;
  /** One line per EventBridge delivery and per state machine state and execution outcome. */
  onWorkflowLog?: (line: string) => void;
}

export interface LocalStack {
  app: LocalApp;
  siteUrl: string;
  /** The stage's base URL, as the page's config.js has it. */
  apiUrl: string;
  dynamodbEndpoint: string;
  /** An operator's credentials for the DynamoDB endpoint: every call allowed (the AWS CLI, tests). */
  dynamodbCredentials: { accessKeyId: string; secretAccessKey: string };
  /** The S3 endpoint: path-style at an IP address, as the AWS CLI and SDKs address it. */
  s3Endpoint: string;
  /** The operator's credentials for the S3 endpoint (the same key as DynamoDB's). */
  s3Credentials: { accessKeyId: string; secretAccessKey: string };
  /** The EventBridge rules, and firing one now. */
  events: EventBus;
  stepFunctions: LocalStepFunctions;
  /** What `npm run invoke` and `npm run schedule` ask of the stack (also served to them). */
  control: StackControl;
  /** The demo user's `sub`, when one was asked for. */
  demoUserSub?: string;
  /** The user pool emulator's Cognito API endpoint, when the program declares a pool. */
  cognito?: CognitoEmulator;
  /** Tables kept from an earlier run whose key schema no longer matches the program's. */
  mismatches: TableMismatch[];
  startupMs: number;
  /**
   * Stands up what changed in the program (`npm start`'s reload): records it again (or takes
   * `recorded`), replaces only what differs and keeps the data. One reload runs at a time; a
   * program error leaves the running stack as it was.
   */
  reload(recorded?: RecordedStack): Promise<ReloadOutcome>;
  close(): Promise<void>;
}

export type ReloadOutcome =
  | { ok: true; plan: ReloadPlan; summary: string; ms: number }
  | { ok: false; error: string; ms: number };

/** The operator's access key id; its secret is new at every start, like each function's. */
const ADMIN_KEY = "local-admin";
const newSecret = () => randomBytes(30).toString("base64");

/** A free port on the host (or the one asked for), known before the program runs. */
function reservePort(host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(port, host, () => {
      const chosen = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(chosen));
    });
  });
}

/** The access key a function's SDK signs with: how the DynamoDB front knows who is calling. */
const accessKeyOf = (fn: LocalFunction) => `LOCAL-${fn.name}`;

/** A table's ARN in the function's account and region, as DynamoDB names it in IAM. */
const tableArnIn = (fn: LocalFunction, tableName: string) => {
  const [, , , region, account] = fn.arn.split(":");
  return `arn:aws:dynamodb:${region}:${account}:table/${tableName}`;
};

const principalOf = (fn: LocalFunction) => {
  const account = fn.roleArn.split(":")[4];
  return `arn:aws:sts::${account}:assumed-role/${fn.roleName}/${fn.name}`;
};

/** The page's config.js names Cognito's regional endpoint: here the emulator answers instead. */
function pointSiteAtCognito(app: LocalApp, endpoint: string): void {
  const object = app.site.objects.find((o) => o.key === "config.js");
  const json = object && /=\s*(\{[\s\S]*\});?\s*$/.exec(object.body.toString("utf8"))?.[1];
  if (!object || !json) return;
  const config = JSON.parse(json) as SiteRuntimeConfig;
  if (!config.auth) return;
  object.body = Buffer.from(siteConfigScript({ ...config, auth: { ...config.auth, endpoint } }));
}

/** The account the mocks give every ARN, when the program has no function to read it from. */
const DEFAULT_ACCOUNT = "123456789012";

/**
 * Whether a caller may make an S3 call: the operator may make any; a function, only what its
 * role allows, every action of the call on its resource.
 */
function s3Decision(
  fn: LocalFunction | undefined,
  actions: { action: string; resource: string }[],
  operation: string,
): { allowed: true } | { allowed: false; message: string } {
  if (!fn) return { allowed: true };
  if (actions.length === 0) {
    return {
      allowed: false,
      message: `The local S3 does not know which IAM actions ${operation} needs, so no function may call it`,
    };
  }
  for (const { action, resource } of actions) {
    const { decision } = evaluate(fn.statements, action, resource);
    if (decision !== "allow") {
      return {
        allowed: false,
        message: accessDeniedMessage(principalOf(fn), action, resource, decision),
      };
    }
  }
  return { allowed: true };
}

/** What a command names: its full name, or the one name ending in `-<name>` (its name in the program). */
function named<T extends { name: string }>(all: T[], name: string): T | undefined {
  const suffixed = all.filter((f) => f.name.endsWith(`-${name}`));
  return all.find((f) => f.name === name) ?? (suffixed.length === 1 ? suffixed[0] : undefined);
}

/** What `npm run invoke` and `npm run schedule` may ask of this stack. */
function stackControl(stack: {
  app: LocalApp;
  account: string;
  functions: Map<string, LambdaFunction>;
  stepFunctions: LocalStepFunctions;
  events: EventBus;
  demoUserSub?: string;
}): StackControl {
  return {
    context: async () => ({
      stack: stack.app.stack,
      region: stack.app.region,
      account: stack.account,
      demoUserSub: stack.demoUserSub,
      outputs: stack.app.outputs,
      functions: stack.app.functions.map((f) => f.name),
      scheduledRules: stack.events.scheduledRules.map((r) => r.name),
    }),
    invoke: async (name, event) => {
      const { app } = stack;
      const fn = named(app.functions, name);
      const lambda = fn && stack.functions.get(fn.name);
      if (fn && lambda) {
        try {
          return { kind: "function", functionName: fn.name, outcome: await lambda.invoke(event) };
        } catch (error) {
          if (error instanceof RequestTooLarge) throw new ControlRefusal(413, error.message);
          throw error;
        }
      }
      const machine = named(app.stateMachines, name);
      if (!machine) {
        const known = [...app.functions, ...app.stateMachines].map((f) => f.name).join(", ");
        throw new ControlRefusal(
          404,
          `the ${app.stack} stack declares no function or state machine ${name}; it declares ${known}`,
        );
      }
      const execution = stack.stepFunctions.startExecution(machine.arn, event);
      return {
        kind: "execution",
        stateMachine: machine.name,
        executionArn: execution.executionArn,
        result: await execution.done,
      };
    },
    fire: async (rule) => {
      let deliveries;
      try {
        deliveries = stack.events.fire(rule);
      } catch (error) {
        if (error instanceof UnknownRule) throw new ControlRefusal(404, error.message);
        throw error;
      }
      return Promise.all(
        deliveries.map(async (d): Promise<FiredTarget> => {
          const { rule: name, target } = d;
          if (d.kind === "execution") {
            const result = await d.execution.done;
            return {
              rule: name,
              target,
              kind: d.kind,
              executionArn: d.execution.executionArn,
              result,
            };
          }
          if (d.kind === "invocation") {
            return {
              rule: name,
              target,
              kind: d.kind,
              functionName: d.functionName,
              outcome: await d.outcome,
            };
          }
          return { rule: name, target, kind: d.kind, reason: d.reason };
        }),
      );
    },
  };
}

/** A function's running environments, the folder its archive was extracted to, and what it was started from. */
interface Worker {
  lambda: LambdaFunction;
  codeDir: string;
  /** `workerKey` of the function it runs: a reload starts a new worker when it differs. */
  key: string;
  inFlight: Set<Promise<unknown>>;
}

/** Starts a function's worker; its invocations are counted, so a reload can let them finish. */
function startWorkerFor(
  fn: LocalFunction,
  at: {
    region: string;
    dynamodbEndpoint: string;
    s3Endpoint: string;
    accessKeyId: string;
    secretAccessKey: string;
    options: LocalStackOptions;
  },
): Worker {
  const key = workerKey(fn, REPO_ROOT);
  const codeDir = extractArchive(fn.archive, REPO_ROOT);
  const lambda = startFunction({
    name: fn.name,
    codeDir,
    handler: fn.handler,
    timeoutSeconds: fn.timeoutSeconds,
    memoryMb: fn.memoryMb,
    environment: {
      ...fn.environment,
      AWS_REGION: at.region,
      AWS_ENDPOINT_URL_DYNAMODB: at.dynamodbEndpoint,
      AWS_ENDPOINT_URL_S3: at.s3Endpoint,
      AWS_ACCESS_KEY_ID: at.accessKeyId,
      AWS_SECRET_ACCESS_KEY: at.secretAccessKey,
    },
    onLog: (line) => at.options.onFunctionLog?.(fn.name, line),
    inspect: at.options.inspect,
    execArgv: at.options.workerExecArgv,
    node: nodeFor(fn.runtime),
  });
  const inFlight = new Set<Promise<unknown>>();
  const counted: LambdaFunction = {
    get logs() {
      return lambda.logs;
    },
    close: () => lambda.close(),
    invoke: (event, invokeOptions) => {
      const running = lambda.invoke(event, invokeOptions);
      const settled = running.then(
        () => undefined,
        () => undefined,
      );
      inFlight.add(settled);
      void settled.then(() => inFlight.delete(settled));
      return running;
    },
  };
  return { lambda: counted, codeDir, key, inFlight };
}

/** Kills a worker's environments (invocations under way fail) and removes its folder. */
async function stopWorker(worker: Worker): Promise<void> {
  await worker.lambda.close();
  fs.rmSync(worker.codeDir, { recursive: true, force: true });
}

/** Where a stack's kept data lives by default: `.local/<stack>`. */
export function localDataDir(stack: string): string {
  return path.join(REPO_ROOT, ".local", stack);
}

/** The file a running stack's control is announced in (control.ts). */
export function controlFile(dataDir: string): string {
  return path.join(dataDir, "control.json");
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const started = Date.now();
  const stack = options.stack ?? "dev";
  const host = options.host ?? "127.0.0.1";
  const dataDir = options.dataDir ?? localDataDir(stack);
  // Taken before --fresh deletes anything, so a second start cannot empty a running one's data.
  const unlock = lockDataDir(dataDir);
  try {
    return await startLocked(options, started, stack, host, dataDir, unlock);
  } catch (err) {
    unlock();
    throw err;
  }
}

async function startLocked(
  options: LocalStackOptions,
  started: number,
  stack: string,
  host: string,
  dataDir: string,
  unlock: () => void,
): Promise<LocalStack> {
  if (options.fresh) fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const [sitePort, apiPort, cognitoPort, s3Port] = await Promise.all([
    reservePort(host, options.ports?.site),
    reservePort(host, options.ports?.api),
    reservePort(host, 0),
    reservePort(host, options.ports?.s3),
  ]);

  // Each DynamoDB call is checked against the calling function's declared policy; the model
  // arrives once the program has run, so the check reads it then.
  // Who signs with which secret: the DynamoDB front verifies each call's signature with it, so a
  // function cannot act as another by claiming its access key id.
  const callers = new Map<string, LocalFunction>();
  const secrets = new Map<string, string>([[ADMIN_KEY, newSecret()]]);
  let tableArns = new Map<string, string>();
  const tableArn = (fn: LocalFunction, name: string) => tableArns.get(name) ?? tableArnIn(fn, name);
  const localAddresses = { apiBase: `http://${host}:${apiPort}`, siteHost: `${host}:${sitePort}` };
  const [recording, emulator] = await Promise.allSettled([
    recordStack(stack, { local: localAddresses }),
    startDynamoEmulator({
      dataDir: path.join(dataDir, "dynamodb"),
      host,
      port: options.ports?.dynamodb ?? 0,
      secretOf: (accessKeyId) => secrets.get(accessKeyId),
      authorize: ({ accessKeyId, action, tableName }) => {
        const fn = callers.get(accessKeyId);
        // Only the operator and the functions have secrets, so only they get this far.
        if (!fn) return { allowed: true };
        const resource = tableName ? tableArn(fn, tableName) : "*";
        const { decision } = evaluate(fn.statements, action, resource);
        return decision === "allow"
          ? { allowed: true }
          : {
              allowed: false,
              message: accessDeniedMessage(principalOf(fn), action, resource, decision),
            };
      },
    }),
  ]);
  if (emulator.status === "rejected") throw emulator.reason;
  const dynamo = emulator.value;
  if (recording.status === "rejected") {
    await dynamo.close();
    throw recording.reason;
  }
  const recorded = recording.value;

  const opened: { close(): Promise<void> }[] = [{ close: async () => unlock() }, dynamo];
  // Once closing, an upload finishing meanwhile starts nothing.
  let closing = false;
  const closeAll = async () => {
    closing = true;
    for (const resource of opened.reverse()) await resource.close();
  };
  try {
    options.rewrite?.(recorded);
    let app = buildModel(recorded);
    tableArns = new Map(app.tables.map((t) => [t.name, t.arn]));
    for (const fn of app.functions) {
      callers.set(accessKeyOf(fn), fn);
      secrets.set(accessKeyOf(fn), newSecret());
    }
    const adminCredentials = {
      accessKeyId: ADMIN_KEY,
      secretAccessKey: String(secrets.get(ADMIN_KEY)),
    };

    const admin = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: app.region,
      credentials: adminCredentials,
    });
    const mismatches = await ensureTables(admin, app.tables);
    admin.destroy();

    const account = app.functions[0]?.arn.split(":")[4] ?? DEFAULT_ACCOUNT;
    // Uploads reach the bus once it exists, after the functions its rules target.
    const bus: { events?: EventBus } = {};
    const s3 = await startS3Emulator({
      dataDir: path.join(dataDir, "s3"),
      host,
      port: s3Port,
      buckets: app.buckets,
      secretOf: (accessKeyId) => secrets.get(accessKeyId),
      authorize: (accessKeyId, actions, operation) =>
        s3Decision(callers.get(accessKeyId), actions, operation),
      onObjectCreated: (created) => {
        const bucket = app.buckets.find((b) => b.name === created.bucket);
        if (!closing && bucket?.eventBridge) {
          bus.events?.put(objectCreatedEvent(created, account, app.region));
        }
      },
      onRequest: options.onS3Request,
    });
    opened.push(s3);

    // Each function's worker, replaced on reload when what it was started from changed.
    const workers = new Map<string, Worker>();
    const functions = new Map<string, LambdaFunction>();
    const workerSetting = (fn: LocalFunction, region: string) => ({
      region,
      dynamodbEndpoint: dynamo.endpoint,
      s3Endpoint: s3.endpoint,
      accessKeyId: accessKeyOf(fn),
      secretAccessKey: String(secrets.get(accessKeyOf(fn))),
      options,
    });
    for (const fn of app.functions) {
      const worker = startWorkerFor(fn, workerSetting(fn, app.region));
      workers.set(fn.name, worker);
      functions.set(fn.name, worker.lambda);
    }
    // Closed in the functions' place: after the state machines, before S3 and DynamoDB.
    opened.push({
      close: async () => {
        await Promise.all([...workers.values()].map(stopWorker));
      },
    });
    const invoke = (name: string, event: unknown): Promise<InvokeOutcome> => {
      const fn = functions.get(name);
      if (!fn) throw new Error(`the program declares no function ${name}`);
      return fn.invoke(event);
    };

    // Closed before the functions: running executions are aborted first.
    let stepFunctions = startStepFunctions({
      stateMachines: app.stateMachines,
      functions: app.functions,
      invoke,
      onLog: options.onWorkflowLog,
    });
    opened.push(stepFunctions);
    let events = startEventBus({
      rules: app.rules,
      functions: app.functions,
      permissions: app.permissions,
      stepFunctions,
      invoke,
      account,
      region: app.region,
      onLog: options.onWorkflowLog,
    });
    bus.events = events;

    let cognito: CognitoEmulator | undefined;
    let demoUserSub: string | undefined;
    if (app.userPools.length > 0) {
      cognito = await startCognitoEmulator({
        pools: app.userPools,
        host,
        port: cognitoPort,
        onLog: options.onCognitoLog,
      });
      opened.push(cognito);
      pointSiteAtCognito(app, cognito.endpoint);
      if (options.demoUser) {
        const { email, password } = options.demoUser;
        demoUserSub = await cognito.createUser(app.userPools[0].id, email, password);
      }
    }

    const gateway = await startGateway({
      api: app.api,
      host,
      port: apiPort,
      region: app.region,
      authorize: cognito?.verify,
      invoke: (name: string, event: APIGatewayProxyEvent): Promise<InvokeOutcome> => {
        const fn = functions.get(name);
        if (!fn) throw new Error(`the API names a function the program does not declare: ${name}`);
        return fn.invoke(event, { requestId: event.requestContext.requestId });
      },
      onRequest: (e) =>
        options.onRequest?.(
          `${e.method} ${e.path} ${e.status} ${e.functionName ?? "-"} ${Math.round(e.durationMs)}ms`,
        ),
    });
    opened.push(gateway);
    // A CloudFront site: HTTPS, and its CSP naming the local API and user pool.
    const cloudfront = app.site.hosting === "cloudfront";
    if (cloudfront) pointSiteHeadersAt(app, { api: gateway.url, cognito: cognito?.endpoint });
    const tls = cloudfront ? await loopbackCertificate(host) : undefined;
    const website = await startWebsite({ site: app.site, host, port: sitePort, tls });
    opened.push(website);

    const live = { app, account, functions, stepFunctions, events, demoUserSub };
    const control = stackControl(live);
    opened.push(await serveControl(control, controlFile(dataDir)));

    // Workers replaced by a reload close once the invocations they were given have finished;
    // closing the stack does not wait for those, it stops them as it stops the others.
    const retiring = new Set<Worker>();
    opened.push({
      close: async () => {
        await Promise.all([...retiring].map(stopWorker));
      },
    });
    const retire = (worker: Worker) => {
      retiring.add(worker);
      // One that fails to stop stays listed: closing the stack stops it again and throws then.
      Promise.all([...worker.inFlight])
        .then(() => stopWorker(worker))
        .then(
          () => retiring.delete(worker),
          () => undefined,
        );
    };

    /** Stands up what changed between the running model and `next`; throws before any swap. */
    const apply = async (next: LocalApp): Promise<ReloadPlan> => {
      if (cognito) pointSiteAtCognito(next, cognito.endpoint);
      if (cloudfront) pointSiteHeadersAt(next, { api: gateway.url, cognito: cognito?.endpoint });
      const keys = new Map([...workers].map(([name, w]) => [name, w.key]));
      const plan = planReload(app, next, keys, REPO_ROOT);

      const admin = new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: next.region,
        credentials: adminCredentials,
      });
      try {
        // Kept tables are never dropped: a changed key schema is reported, as at start.
        const found = await ensureTables(admin, next.tables);
        mismatches.splice(0, mismatches.length, ...found);
      } finally {
        admin.destroy();
      }
      if (plan.buckets) await s3.declareBuckets(next.buckets);

      // New workers first: a archive that cannot be extracted leaves the running ones serving.
      const started = new Map<string, Worker>();
      try {
        for (const name of plan.functionsStarted) {
          const fn = next.functions.find((f) => f.name === name) as LocalFunction;
          // A function keeps its access key and secret; a new one gets its own.
          if (!secrets.has(accessKeyOf(fn))) secrets.set(accessKeyOf(fn), newSecret());
          started.set(name, startWorkerFor(fn, workerSetting(fn, next.region)));
        }
      } catch (err) {
        for (const worker of started.values()) retire(worker);
        throw err;
      }
      // From here on nothing throws: the swap is whole.
      tableArns = new Map(next.tables.map((t) => [t.name, t.arn]));
      for (const fn of next.functions) callers.set(accessKeyOf(fn), fn);
      for (const [name, worker] of started) {
        const old = workers.get(name);
        workers.set(name, worker);
        functions.set(name, worker.lambda);
        if (old) retire(old);
      }
      for (const name of plan.functionsRemoved) {
        const old = workers.get(name);
        workers.delete(name);
        functions.delete(name);
        const fn = app.functions.find((f) => f.name === name) as LocalFunction;
        callers.delete(accessKeyOf(fn));
        secrets.delete(accessKeyOf(fn));
        if (old) retire(old);
      }
      const functionSet = plan.functionsStarted.length > 0 || plan.functionsRemoved.length > 0;
      if (plan.stateMachines || plan.rules || functionSet) {
        // The old executions run to their end on the old machines; new ones start on these.
        stepFunctions = startStepFunctions({
          stateMachines: next.stateMachines,
          functions: next.functions,
          invoke,
          onLog: options.onWorkflowLog,
        });
        opened.push(stepFunctions);
        events = startEventBus({
          rules: next.rules,
          functions: next.functions,
          permissions: next.permissions,
          stepFunctions,
          invoke,
          account,
          region: next.region,
          onLog: options.onWorkflowLog,
        });
        bus.events = events;
      }
      if (plan.routes) gateway.setApi(next.api);
      website.setSite(next.site);
      app = next;
      Object.assign(live, { app, stepFunctions, events });
      return plan;
    };

    const shortName = (name: string) => name.replace(`serverless-notes-${stack}-`, "");
    let queue: Promise<unknown> = Promise.resolve();
    const reload = (next?: RecordedStack): Promise<ReloadOutcome> => {
      const run = async (): Promise<ReloadOutcome> => {
        const began = Date.now();
        const elapsedMs = () => Date.now() - began;
        if (closing) return { ok: false, error: "the stack is stopping", ms: 0 };
        try {
          const recorded = next ?? (await recordAgain());
          if (recorded.error) {
            return {
              ok: false,
              error: programErrorLine(recorded.error, REPO_ROOT),
              ms: elapsedMs(),
            };
          }
          const plan = await apply(buildModel(recorded));
          const summary = describePlan(plan, shortName);
          return { ok: true, plan, summary, ms: elapsedMs() };
        } catch (err) {
          const error = err instanceof Error ? err.message : String(err);
          return { ok: false, error, ms: elapsedMs() };
        }
      };
      const result = queue.then(run);
      queue = result;
      return result;
    };
    const recordAgain = async () => {
      const recorded = await recordStack(stack, { local: localAddresses });
      options.rewrite?.(recorded);
      return recorded;
    };

    return {
      get app() {
        return app;
      },
      siteUrl: String(app.outputs.siteUrl ?? website.url),
      apiUrl: String(app.outputs.apiUrl ?? `${gateway.url}/${app.api.stageName}`),
      dynamodbEndpoint: dynamo.endpoint,
      dynamodbCredentials: adminCredentials,
      s3Endpoint: s3.endpoint,
      s3Credentials: adminCredentials,
      get events() {
        return events;
      },
      get stepFunctions() {
        return stepFunctions;
      },
      control,
      demoUserSub,
      cognito,
      mismatches,
      startupMs: Date.now() - started,
      reload,
      close: closeAll,
    };
  } catch (err) {
    // The lock goes last, in closeAll; the caller's unlock after it finds nothing to remove.
    await closeAll();
    throw err;
  }
}
