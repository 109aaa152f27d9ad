// `npm start`: the whole application of a stack on this machine, no AWS account needed.
// Usage: npm start -- --help
import { demoUserFor } from "./demoUser";
import type { DEMO_USER } from "./demoUser";
import { startLocalStack } from "./localStack";
import type { LocalStack } from "./localStack";
import { nodeFor } from "./nodeRuntime";
import { REPO_ROOT } from "./stackConfig";
import { programSources, watchProgram } from "./watch";
import type { ProgramWatcher } from "./watch";
import { parseStartOptions, PORT_OPTIONS, USAGE } from "./startOptions";
import type { StartOptions } from "./startOptions";

function readOptions(): StartOptions {
  try {
    return parseStartOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    process.exit(2);
  }
}

const options = readOptions();

/** What runs where, and how to reach it. */
function printRunning(local: LocalStack, demoUser: typeof DEMO_USER | undefined): void {
  const { app } = local;
  const rows: [string, string][] = [
    ["site", local.siteUrl],
    ["API", local.apiUrl],
    ["DynamoDB", local.dynamodbEndpoint],
    ["S3", local.s3Endpoint],
    ...(local.cognito ? [["Cognito", local.cognito.endpoint] as [string, string]] : []),
  ];
  console.log(`\nserverless-notes (${app.stack}) is running on this machine:\n`);
  for (const [what, url] of rows) console.log(`  ${what.padEnd(9)} ${url}`);
  if (app.site.hosting === "cloudfront") {
    console.log(
      "  (the site is CloudFront's stand-in: HTTPS with a certificate made for this run, which " +
        "the browser asks you to accept once, and the distribution's security headers)",
    );
  }

  console.log(`\n  tables     ${app.tables.map((t) => t.name).join(", ")}`);
  console.log(`  functions  ${app.functions.map((f) => f.name).join(", ")}`);
  const routes = app.api.methods.filter((m) => m.integration.type === "AWS_PROXY");
  console.log(`  routes     ${routes.map((m) => `${m.httpMethod} ${m.path}`).join(", ")}`);
  console.log(`  site       ${app.site.objects.map((o) => o.key).join(", ")}`);
  const buckets = app.buckets.map(
    (b) => `${b.name}${b.eventBridge ? " (events → EventBridge)" : ""}`,
  );
  console.log(`  buckets    ${buckets.join(", ")}`);
  for (const rule of app.rules) {
    const when = rule.scheduleExpression ?? "on its event pattern";
    const targets = rule.targets.map((t) => t.arn.split(/[:/]/).pop()).join(", ");
    console.log(`  rule       ${rule.name} (${when}) → ${targets}`);
  }
  for (const machine of app.stateMachines) console.log(`  workflow   ${machine.name}`);
  for (const pool of app.userPools) {
    console.log(`  user pool  ${pool.id} (clients ${pool.clients.map((c) => c.id).join(", ")})`);
  }
  if (demoUser && local.cognito) {
    console.log(`\n  demo user  ${demoUser.email} / ${demoUser.password}  (dev only)`);
    console.log("  sign-up codes the pool would email are printed below as [cognito] lines");
  }

  // The operator's key may do anything; DynamoDB and S3 verify every signature with it.
  const { accessKeyId, secretAccessKey } = local.s3Credentials;
  const notes = app.buckets.find((b) => b.eventBridge)?.name ?? app.buckets[0]?.name;
  console.log("\n  the AWS CLI (this key may do anything, until this run stops):");
  console.log(
    `    export AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} AWS_DEFAULT_REGION=${app.region}`,
  );
  if (notes) {
    console.log(
      `    aws s3 cp notes.csv s3://${notes}/imports/ --endpoint-url ${local.s3Endpoint}`,
    );
  }
  console.log(`    aws dynamodb list-tables --endpoint-url ${local.dynamodbEndpoint}`);
  console.log("  npm run invoke -- <function> --event sample:<name>   (npm run invoke -- --help)");
  const scheduled = local.events.scheduledRules.map((r) => r.name);
  console.log(
    `  npm run schedule -- [--stack ${app.stack}] <rule>   (${scheduled.length ? `scheduled: ${scheduled.join(", ")}` : "this stack declares no scheduled rule"})`,
  );

  for (const runtime of new Set(app.functions.map((f) => f.runtime))) {
    const node = nodeFor(runtime);
    if (node.warning) console.warn(`\n  warning: ${node.warning}`);
    else console.log(`  runtime    ${runtime} on Node.js ${node.version}`);
  }
  for (const fn of app.functions.filter((f) => f.managedPolicyArns.length > 0)) {
    console.warn(
      `\n  warning: ${fn.name} has managed policies attached (${fn.managedPolicyArns.join(", ")}); ` +
        "their statements are not in the program, so its DynamoDB and S3 calls are checked without them.",
    );
  }
  for (const problem of [...local.events.unsupported, ...local.stepFunctions.unsupported]) {
    console.warn(`\n  warning: ${problem}`);
  }
  for (const m of local.mismatches) {
    console.warn(
      `\n  warning: table ${m.table} was kept from an earlier run with keys (${m.existing}), but the ` +
        `program declares (${m.declared}); its routes may fail. Run with --fresh to start empty.`,
    );
  }
}

async function main(): Promise<void> {
  const { stack } = options;
  const demoUser = demoUserFor(stack);
  const local = await startLocalStack({
    stack,
    fresh: options.fresh,
    inspect: options.inspect,
    ports: options.ports,
    onRequest: (line) => console.log(line),
    onFunctionLog: (fn, line) =>
      console.log(`  [${fn.replace(`serverless-notes-${stack}-`, "")}] ${line.text}`),
    // The emulator's request lines are noise; what it would email (codes) and its errors are not.
    onCognitoLog: (line) => {
      if (!/ INFO: \S+ \S+ (Cognito Local running|\S+ (request|response))/.test(line)) {
        console.log(`  [cognito] ${line}`);
      }
    },
    demoUser,
    // The operator's own calls, and any call refused, as one line each; functions' calls that
    // succeed would only be noise.
    onS3Request: (e) => {
      const fromFunction = e.accessKeyId?.startsWith("LOCAL-");
      if ((e.error && !(fromFunction && e.missingKey)) || !fromFunction) {
        const where = e.bucket ? ` s3://${e.bucket}/${e.key ?? ""}` : "";
        const caller = e.accessKeyId?.replace(`LOCAL-serverless-notes-${stack}-`, "");
        const who = caller ? ` (${caller})` : "";
        console.log(`S3 ${e.operation}${where} ${e.status}${e.error ? ` ${e.error}` : ""}${who}`);
      }
    },
    onWorkflowLog: (line) => console.log(`  ${line}`),
  });
  printRunning(local, demoUser);
  const watcher = options.watch ? watchForReload(local, stack) : undefined;
  const watching = watcher ? "; edits to the program reload it" : "";
  console.log(`\nstarted in ${seconds(local.startupMs)}${watching}; Ctrl-C stops it\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping…");
    Promise.resolve(watcher?.close())
      .then(() => local.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err);
          process.exit(1);
        },
      );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Reloads the stack when the program's sources change, saying what was replaced in one line. */
function watchForReload(local: LocalStack, stack: string): ProgramWatcher {
  // A kept table whose keys no longer match is said once, at start or at the reload that made it so.
  const warned = new Set(local.mismatches.map((m) => m.table));
  return watchProgram({
    root: REPO_ROOT,
    paths: programSources(stack),
    onChange: async () => {
      const outcome = await local.reload();
      if (!outcome.ok) {
        console.error(`reload failed: ${outcome.error}; still serving the last good stack`);
        return;
      }
      console.log(`reloaded in ${seconds(outcome.ms)}: ${outcome.summary}`);
      const { needsRestart } = outcome.plan;
      if (needsRestart.length > 0) {
        console.warn(`  ${needsRestart.join(", ")} changed: restart npm start to apply it`);
      }
      for (const m of local.mismatches.filter((x) => !warned.has(x.table))) {
        warned.add(m.table);
        console.warn(
          `  warning: table ${m.table} is kept with keys (${m.existing}); the program now ` +
            `declares (${m.declared}). Restart with --fresh to start empty.`,
        );
      }
    },
    onError: (error) => console.error(`watching the program: ${error.message}`),
  });
}

/** A busy port names the option that moves it. */
function busyPortAdvice(err: unknown): string | undefined {
  const { code, port } = (err ?? {}) as NodeJS.ErrnoException & { port?: number };
  if (code !== "EADDRINUSE") return undefined;
  const which = (Object.keys(PORT_OPTIONS) as (keyof typeof PORT_OPTIONS)[]).find(
    (k) => options.ports[k] === port,
  );
  const option = which ? PORT_OPTIONS[which] : Object.values(PORT_OPTIONS).join(", ");
  return `Port ${port} is in use by another program: stop it, or choose another with ${option}.`;
}

if (options.help) {
  console.log(USAGE);
} else {
  main().catch((err: unknown) => {
    console.error(busyPortAdvice(err) ?? (err instanceof Error ? err.message : err));
    process.exit(1);
  });
}
