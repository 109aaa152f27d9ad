// `npm start`: the whole application of a stack on this machine, no AWS account needed.
// Usage: npm start -- [--stack dev|prod] [--fresh] [--port 3000] [--api-port 3001]
//                     [--dynamodb-port 8000]
import { startLocalStack } from "./localStack";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function port(name: string, fallback: number): number {
  const value = option(name);
  const n = Number(value ?? fallback);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new Error(`--${name} takes a port number from 0 to 65535, not "${value}"`);
  }
  return n;
}

/** A ready account in dev, so a newcomer can sign in at once; never in another stack. */
const DEMO_USER = { email: "demo@example.com", password: "DemoNotes2024" };

async function main(): Promise<void> {
  const stack = option("stack") ?? "dev";
  const demoUser = stack === "dev" ? DEMO_USER : undefined;
  const local = await startLocalStack({
    stack,
    fresh: process.argv.includes("--fresh"),
    ports: {
      site: port("port", 3000),
      api: port("api-port", 3001),
      dynamodb: port("dynamodb-port", 8000),
    },
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

main().catch((err: unknown) => {
  const inUse = (err as NodeJS.ErrnoException)?.code === "EADDRINUSE";
  console.error(err instanceof Error ? err.message : err);
  if (inUse)
    console.error("Another program holds that port: stop it, or choose others with --port.");
  process.exit(1);
});
