// Runs the Pulumi program as `pulumi preview`/`pulumi up` run it, with no CLI and no cloud: a
// separate `node` process on @pulumi/pulumi's own `cmd/run`, given the arguments, working
// directory and environment the Node.js language host gives it (pulumi/pulumi
// sdk/nodejs/cmd/pulumi-language-nodejs/main.go: execRuntime, constructArguments,
// constructConfig), talking gRPC to the offline engine in ./monitor.
import { spawn } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import type { RecordedStack } from "../local/recordStack";
import type { MockCloud } from "./mockCloud";
import { Monitor } from "./monitor";
import { launchProblems, programLaunch, ProjectFile, readProjectFile } from "./project";

export interface RunOptions {
  stack: string;
  /** The folder of Pulumi.yaml. */
  root: string;
  /** Pulumi.yaml as read from `root`, unless given (tests change `main` this way). */
  project?: ProjectFile;
  /** `key: value` as Pulumi.<stack>.yaml holds it, every value a string. */
  config: Record<string, string>;
  /** Preview (true) or update. */
  dryRun: boolean;
  cloud: MockCloud;
  /**
   * Reuse what an earlier run of the same inputs produced (serialised closures, code paths; see
   * programHooks.js). Default true; the bench turns it off to time a run without it.
   */
  cache?: boolean;
}

/** constructConfig: the language host hands `ns:key` to the SDK as `ns:config:key`. */
function configVariable(config: Record<string, string>): string {
  const entries = Object.entries(config).map(([key, value]) => {
    const i = key.indexOf(":");
    return [`${key.slice(0, i)}:config:${key.slice(i + 1)}`, value];
  });
  return JSON.stringify(Object.fromEntries(entries));
}

function disabledDefaultProviders(config: Record<string, string>): string[] {
  const value = config["pulumi:disable-default-providers"];
  return value ? (JSON.parse(value) as string[]) : [];
}

export async function runProgram(options: RunOptions): Promise<RecordedStack> {
  const project = options.project ?? readProjectFile(options.root);
  const launch = programLaunch(options.root, project);
  const monitor = new Monitor({
    stack: options.stack,
    project: launch.project,
    pwd: launch.pwd,
    dryRun: options.dryRun,
    cloud: options.cloud,
    disabledDefaultProviders: disabledDefaultProviders(options.config),
  });
  const address = await monitor.listen();
  try {
    // locateModule: the SDK's runner as the program's own folder resolves it.
    const runPath = require.resolve("@pulumi/pulumi/cmd/run", { paths: [launch.pwd] });
    const args = [
      // Caches only: see programHooks.js.
      "-r",
      path.join(__dirname, "programHooks.js"),
      ...launch.nodeArgs,
      runPath,
      ...["--monitor", address, "--engine", address, "--project", launch.project],
      ...["--root-directory", launch.root, "--stack", options.stack, "--pwd", launch.pwd],
      ...(options.dryRun ? ["--dry-run"] : []),
      // The CLI's default --parallel: four per processor (pkg/cmd/pulumi/operations).
      ...["--parallel", String(os.availableParallelism() * 4)],
      launch.entryPoint,
    ];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...launch.env,
      PULUMI_CONFIG: configVariable(options.config),
      PULUMI_CONFIG_SECRET_KEYS: "[]",
      NODE_NO_WARNINGS: "1",
      // The CLI type-checks through ts-node; `npm run typecheck` checks the same files with the
      // same tsconfig.json (launchProblems makes sure of that), so the SDK's own switch skips
      // the second check here.
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      SERVERLESS_NOTES_PROGRAM_CACHE: options.cache === false ? "off" : "on",
    };
    const { code, output } = await runNode(args, launch.pwd, env);
    // The program still runs, so its own failure shows beside the reason for it.
    const errors = [...launchProblems(launch), ...monitor.errors()];
    if (code !== 0 && errors.length === 0) {
      errors.push(`Program exited with non-zero exit code: ${code}\n${output.slice(-4000)}`);
    }
    return {
      stack: options.stack,
      config: options.config,
      resources: monitor.resources,
      outputs: monitor.outputs,
      diagnostics: monitor.diagnostics,
      ...(errors.length ? { error: errors.join("\n") } : {}),
    };
  } finally {
    monitor.close();
  }
}

function runNode(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}
