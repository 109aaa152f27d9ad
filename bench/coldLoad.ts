// The cold start of a function: a fresh execution environment (a forked runtime worker) loading
// the handler module, measured by the worker itself around the `require`, as Lambda's Init
// Duration. Each sample is a new process, so nothing is cached in the module system.
import type { APIGatewayProxyResult } from "aws-lambda";
import { startFunction } from "../local/lambdaRuntime";
import type { InvokeOutcome } from "../local/lambdaRuntime";

/** An event for the first invocation, and whether its outcome is the expected one. */
export interface Probe {
  event: unknown;
  expected(outcome: InvokeOutcome): boolean;
}

/** A method no route has: the handler answers 405 without calling DynamoDB. */
export const ROUTE_PROBE: Probe = {
  event: { httpMethod: "OPTIONS", headers: {}, body: null },
  expected: (outcome) =>
    "result" in outcome && (outcome.result as APIGatewayProxyResult).statusCode === 405,
};

export interface ColdLoadOptions {
  name: string;
  taskRoot: string;
  environment: Record<string, string>;
  memoryMb: number;
  samples: number;
  probe: Probe;
}

/** The median module load time over fresh environments, in milliseconds. */
export async function coldLoad(options: ColdLoadOptions): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < options.samples; i++) {
    const fn = startFunction({
      name: options.name,
      codeDir: options.taskRoot,
      handler: "__index.handler",
      environment: options.environment,
      timeoutSeconds: 10,
      memoryMb: options.memoryMb,
      maxConcurrency: 1,
    });
    try {
      const outcome = await fn.invoke(options.probe.event);
      if (!options.probe.expected(outcome) || outcome.initDurationMs === undefined) {
        throw new Error(`${options.name}: unexpected cold start ${JSON.stringify(outcome)}`);
      }
      times.push(outcome.initDurationMs);
    } finally {
      await fn.close();
    }
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
