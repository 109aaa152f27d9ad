// How the Pulumi CLI starts a Node.js program, derived from the project's own files: where the
// program runs (its working directory), which entry point `cmd/run` is given, and the options
// `runtime.options` sets. Sources (pulumi/pulumi): `pkg/engine/project.go` getPwdMain, and
// `sdk/nodejs/cmd/pulumi-language-nodejs/main.go` parseOptions, execRuntime, constructArguments.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

/** The parts of `Pulumi.yaml` that decide how the program is started. */
export interface ProjectFile {
  name: string;
  main?: string;
  runtime: string | { name: string; options?: Record<string, unknown> };
}

export interface ProgramLaunch {
  project: string;
  /** The project root: the folder of Pulumi.yaml (`--root-directory`). */
  root: string;
  /** The program's working directory (`--pwd`). */
  pwd: string;
  /** `cmd/run`'s program argument: `.` unless `main` names a file. */
  entryPoint: string;
  /** Environment the language host adds: PULUMI_NODEJS_TYPESCRIPT, PULUMI_NODEJS_TSCONFIG_PATH. */
  env: Record<string, string>;
  /** `runtime.options.nodeargs`, split on spaces. */
  nodeArgs: string[];
}

export function readProjectFile(root: string): ProjectFile {
  return yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

/**
 * getPwdMain: without `main` the program runs in the root with entry `.` (so `cmd/run` follows
 * package.json's `main`); a directory in `main` becomes the working directory, and a file in
 * `main` makes its folder the working directory. Either moves the program away from the root.
 */
function pwdAndEntry(root: string, main: string | undefined): { pwd: string; entryPoint: string } {
  if (!main) return { pwd: root, entryPoint: "." };
  const target = path.resolve(root, main);
  if (!fs.existsSync(target)) throw new Error(`project 'main' could not be read: ${target}`);
  return fs.statSync(target).isDirectory()
    ? { pwd: target, entryPoint: "." }
    : { pwd: path.dirname(target), entryPoint: path.basename(target) };
}

/** parseOptions: `typescript` defaults to true; `tsconfig` and `nodeargs` are passed on. */
export function programLaunch(root: string, project = readProjectFile(root)): ProgramLaunch {
  const runtime = typeof project.runtime === "string" ? { name: project.runtime } : project.runtime;
  if (runtime.name !== "nodejs") throw new Error(`runtime ${runtime.name} is not nodejs`);
  const options = runtime.options ?? {};
  const env: Record<string, string> = {};
  if (options.typescript ?? true) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (typeof options.tsconfig === "string") env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
  const nodeArgs = typeof options.nodeargs === "string" ? options.nodeargs.split(/\s+/) : [];
  return {
    project: project.name,
    root,
    ...pwdAndEntry(root, project.main),
    env,
    nodeArgs: nodeArgs.filter(Boolean),
  };
}

/**
 * What would make the CLI run another program than the one the tests check: a working directory
 * other than the root (relative paths, `process.cwd()` and Pulumi's own code paths would all
 * differ), or a tsconfig.json other than the root's (cmd/run/run.js looks for it in the working
 * directory and, when it is missing, compiles with its own defaults instead, silently).
 */
export function launchProblems(launch: ProgramLaunch): string[] {
  const problems: string[] = [];
  if (launch.pwd !== launch.root) {
    problems.push(
      `Pulumi.yaml's main makes the CLI run the program in ${launch.pwd}, not in the project ` +
        `root ${launch.root}: leave main out and let package.json's "main" name the entry point`,
    );
  }
  const tsconfig = path.resolve(
    launch.pwd,
    launch.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json",
  );
  if (launch.env.PULUMI_NODEJS_TYPESCRIPT && tsconfig !== path.join(launch.root, "tsconfig.json")) {
    problems.push(
      `the CLI would compile the program with ${fs.existsSync(tsconfig) ? tsconfig : "ts-node's defaults"} ` +
        `(${tsconfig} is what it looks for), not with the tsconfig.json that npm run typecheck uses`,
    );
  }
  return problems;
}
