// `npm start`: the whole application of a stack on this machine, no AWS account needed.
// Usage: npm start -- --help
import { startLocalStack } from "./localStack";
import { nodeFor } from "./nodeRuntime";
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

/** A ready account in dev, so a newcomer can sign in at once; never in another stack. */
const DEMO_USER = { email: "demo@example.com", password: "DemoNotes2024" };

const options = readOptions();

async function main(): Promise<void> {
  const { stack } = options;
  const demoUser = stack === "dev" ? DEMO_USER : undefined;
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
  });
  const { app } = local;
  const rows: [string, string][] = [
    ["site", local.siteUrl],
    ["API", local.apiUrl],
    ["DynamoDB", local.dynamodbEndpoint],
    ...(local.cognito ? [["Cognito", local.cognito.endpoint] as [string, string]] : []),
  ];
  console.log(`\nserverless-notes (${stack}) is running on this machine:\n`);
  for (const [what, url] of rows) console.log(`  ${what.padEnd(9)} ${url}`);
  if (app.site.hosting === "cloudfront") {
    console.log(
      "  (the site is CloudFront's stand-in: HTTPS with a certificate made for this run, which " +
        "the browser asks you to accept once, and the distribution's security headers)",
    );
  }
  const { accessKeyId, secretAccessKey } = local.dynamodbCredentials;
  console.log(
    `  (DynamoDB verifies signatures: AWS_ACCESS_KEY_ID=${accessKeyId} ` +
      `AWS_SECRET_ACCESS_KEY=${secretAccessKey} may do anything, until this run stops)`,
  );
  console.log(`\n  tables     ${app.tables.map((t) => t.name).join(", ")}`);
  console.log(`  functions  ${app.functions.map((f) => f.name).join(", ")}`);
  const routes = app.api.methods.filter((m) => m.integration.type === "AWS_PROXY");
  console.log(`  routes     ${routes.map((m) => `${m.httpMethod} ${m.path}`).join(", ")}`);
  console.log(`  site       ${app.site.objects.map((o) => o.key).join(", ")}`);
  for (const pool of app.userPools) {
    console.log(`  user pool  ${pool.id} (clients ${pool.clients.map((c) => c.id).join(", ")})`);
  }
  if (demoUser && local.cognito) {
    console.log(`\n  demo user  ${demoUser.email} / ${demoUser.password}  (dev only)`);
    console.log("  sign-up codes the pool would email are printed below as [cognito] lines");
  }
  for (const runtime of new Set(app.functions.map((f) => f.runtime))) {
    const node = nodeFor(runtime);
    if (node.warning) console.warn(`\n  warning: ${node.warning}`);
    else console.log(`  runtime    ${runtime} on Node.js ${node.version}`);
  }
  for (const fn of app.functions.filter((f) => f.managedPolicyArns.length > 0)) {
    console.warn(
      `\n  warning: ${fn.name} has managed policies attached (${fn.managedPolicyArns.join(", ")}); ` +
        "their statements are not in the program, so its DynamoDB calls are checked without them.",
    );
  }
  for (const m of local.mismatches) {
    console.warn(
      `\n  warning: table ${m.table} was kept from an earlier run with keys (${m.existing}), but the ` +
        `program declares (${m.declared}); its routes may fail. Run with --fresh to start empty.`,
    );
  }
  console.log(`\nstarted in ${(local.startupMs / 1000).toFixed(1)} s; Ctrl-C stops it\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping…");
    local.close().then(
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

/** A busy port names the option that moves it. */
function busyPortAdvice(err: unknown): string | undefined {
  const { code, port } = (err ?? {}) as NodeJS.ErrnoException & { port?: number };
  if (code !== "EADDRINUSE") return undefined;
  const which = (Object.keys(PORT_OPTIONS) as (keyof typeof PORT_OPTIONS)[]).find(
    (k) => options.ports[k] === port,
  );
  const option = which ? PORT_OPTIONS[which] : "--port, --api-port or --dynamodb-port";
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
