// Cold starts of two builds of the same function, paired and interleaved: each round starts a
// fresh execution environment (a forked runtime worker on the deployed runtime's Node.js) for
// one build then the other, alternating which goes first, and invokes it once. Per start: the
// module load (Init Duration, measured by the worker around the handler's `require`), the time
// to the first response (from the invocation to its result: process start, init and the
// handler's first call together) and the resident memory right after init; and the CPU time of
// the init and up to the first response, which the machine's other work does not lengthen.
import * as fs from "node:fs";
import * as path from "node:path";
import { startFunction } from "../local/lambdaRuntime";
import { nodeFor } from "../local/nodeRuntime";
import { percentile } from "./measure";

/**
 * Loads the handler as the runtime would and notes the memory right after: the init phase. The
 * handler's answer or failure comes back with it.
 */
const HARNESS = `"use strict";
const cpuMs = (usage) => (usage.user + usage.system) / 1000;
const before = process.cpuUsage();
const { handler } = require("./__index.js");
const initCpuMs = cpuMs(process.cpuUsage(before));
const initRssBytes = process.memoryUsage.rss();
exports.handler = async (event, context) => {
  const measured = () => ({ initCpuMs, initRssBytes, processCpuMs: cpuMs(process.cpuUsage()) });
  try {
    return { response: await handler(event, context), ...measured() };
  } catch (error) {
    return { failure: { name: error.name, message: error.message }, ...measured() };
  }
};
`;
const HARNESS_FILE = "__bench.js";

export interface Build {
  label: string;
  /** An extracted archive; the bench adds its harness beside `__index.js`. */
  taskRoot: string;
}

export interface ColdStartCase {
  name: string;
  builds: [Build, Build];
  environment: Record<string, string>;
  memoryMb: number;
  runtime: string;
  event: unknown;
  /** Whether the handler's answer (or failure) is the one this event should get. */
  expected(answer: Answer): boolean;
}

/** What the handler answered, or how it failed. */
export type Answer = { response: unknown } | { failure: { name: string; message: string } };

export interface ColdStart {
  initMs: number;
  /** CPU time of the init: what it costs, whatever else the machine is doing. */
  initCpuMs: number;
  firstResponseMs: number;
  /** CPU time of the environment up to its first response: start, init and the first call. */
  firstResponseCpuMs: number;
  initRssBytes: number;
}

export interface Summary {
  median: number;
  p90: number;
}

export function summary(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p90: percentile(sorted, 90) };
}

type Measured = { initCpuMs: number; initRssBytes: number; processCpuMs: number };

async function coldStart(c: ColdStartCase, build: Build): Promise<ColdStart> {
  const fn = startFunction({
    name: c.name,
    codeDir: build.taskRoot,
    handler: "__bench.handler",
    environment: c.environment,
    timeoutSeconds: 10,
    memoryMb: c.memoryMb,
    node: nodeFor(c.runtime),
    maxConcurrency: 1,
  });
  try {
    const started = performance.now();
    const outcome = await fn.invoke(c.event);
    const firstResponseMs = performance.now() - started;
    const result = "result" in outcome ? (outcome.result as Answer & Measured) : undefined;
    if (outcome.initDurationMs === undefined || !result || !c.expected(result)) {
      throw new Error(`${c.name} (${build.label}): unexpected ${JSON.stringify(outcome)}`);
    }
    return {
      initMs: outcome.initDurationMs,
      initCpuMs: result.initCpuMs,
      firstResponseMs,
      firstResponseCpuMs: result.processCpuMs,
      initRssBytes: result.initRssBytes,
    };
  } finally {
    await fn.close();
  }
}

/** `rounds` cold starts of each build of each case, interleaved; per case, per build label. */
export async function pairedColdStarts(
  cases: ColdStartCase[],
  rounds: number,
  progress: (text: string) => void,
): Promise<Map<string, Record<string, ColdStart[]>>> {
  const results = new Map<string, Record<string, ColdStart[]>>();
  for (const c of cases) {
    for (const build of c.builds) {
      fs.writeFileSync(path.join(build.taskRoot, HARNESS_FILE), HARNESS);
    }
    results.set(c.name, Object.fromEntries(c.builds.map((b) => [b.label, [] as ColdStart[]])));
  }
  for (let round = 0; round < rounds; round++) {
    progress(`cold starts: round ${round + 1} of ${rounds}`);
    for (const c of cases) {
      const order = round % 2 === 0 ? c.builds : ([c.builds[1], c.builds[0]] as const);
      for (const build of order) {
        results.get(c.name)?.[build.label].push(await coldStart(c, build));
      }
    }
  }
  return results;
}
