// Runs the program for one stack the way `pulumi up` (or, with `dryRun`, `pulumi preview`) runs
// it, on the offline engine (engine/run.ts), and returns what it declared. A program error, a
// failed provider check or a refused registration is returned in `error`, not thrown.
import { runProgram } from "../engine/run";
import type { ProjectFile } from "../engine/project";
import { loadStackConfig, REPO_ROOT } from "./stackConfig";

export interface RecordedResource {
  type: string;
  name: string;
  custom: boolean;
  /** The id the mocks gave a custom resource (none under preview). */
  id?: string;
  /** `type::name` of the parent resource; absent for the stack and its direct children. */
  parent?: string;
  /** The provider reference (`urn::id`) of a custom resource. */
  provider?: string;
  protect: boolean;
  deleteBeforeReplace: boolean;
  /** `type::name` of what it waits for: each `dependsOn` and each resource its inputs use. */
  dependsOn: string[];
  /** The inputs after the provider's Check: auto-named properties filled in. */
  inputs: Record<string, unknown>;
  /** What the mocks answered (ids, ARNs, generated names); under preview, the inputs. */
  state: Record<string, unknown>;
}

export interface RecordedStack {
  stack: string;
  config: Record<string, string>;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** What the engine and the program logged, as the CLI would print it. */
  diagnostics?: { severity: string; message: string; urn?: string }[];
  error?: string;
}

export interface RecordOptions {
  /** Config values to set (`serverless-notes:logRetentionDays` → `"-1"`). */
  set?: Record<string, string>;
  unset?: string[];
  /** Local addresses the mocks answer for the API stage and the website endpoint. */
  local?: { apiBase: string; siteHost: string };
  /** `pulumi preview`: nothing is created, so ids and computed outputs stay unknown. */
  dryRun?: boolean;
  /** Pulumi.yaml as given instead of the repository's (tests move `main` this way). */
  project?: ProjectFile;
  /** Reuse what an earlier run of the same inputs produced; default true (engine/run.ts). */
  cache?: boolean;
}

export async function recordStack(
  stack: string,
  options: RecordOptions = {},
): Promise<RecordedStack> {
  const config = loadStackConfig(stack);
  Object.assign(config, options.set);
  for (const key of options.unset ?? []) delete config[key];
  return runProgram({
    stack,
    root: REPO_ROOT,
    project: options.project,
    config,
    dryRun: options.dryRun ?? false,
    cache: options.cache,
    cloud: {
      region: config["aws:region"] ?? "ap-northeast-2",
      apiBase: options.local?.apiBase,
      siteHost: options.local?.siteHost,
    },
  });
}
