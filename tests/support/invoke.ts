// Runs a handler on one API Gateway event and returns the response with its body parsed.
import type { APIGatewayProxyEvent } from "aws-lambda";
import type { Handler } from "../../app/http";
import { lambdaContext, proxyEvent } from "./events";
import type { EventSpec } from "./events";

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** The body parsed as JSON; undefined when empty. */
  body: unknown;
  rawBody: string;
}

/** `patch` overrides event fields `proxyEvent` has no option for, e.g. `isBase64Encoded`. */
export async function invoke(
  handler: Handler,
  spec: EventSpec,
  patch: Partial<APIGatewayProxyEvent> = {},
): Promise<Reply> {
  const result = await handler({ ...proxyEvent(spec), ...patch }, lambdaContext());
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
  return {
    status: result.statusCode,
    headers,
    body: result.body === "" ? undefined : JSON.parse(result.body),
    rawBody: result.body,
  };
}

/** The `{"error": {"code", "message"}}` body of an error reply; fails on any other shape. */
export function errorOf(reply: Reply): { code: string; message: string } {
  const body = reply.body as { error?: { code?: unknown; message?: unknown } };
  const error = body?.error;
  if (
    typeof error?.code !== "string" ||
    typeof error.message !== "string" ||
    Object.keys(body).length !== 1 ||
    Object.keys(error).length !== 2
  ) {
    throw new Error(`not an error body: ${reply.rawBody}`);
  }
  return { code: error.code, message: error.message };
}

/** Runs `action` with `console.error` captured; returns its result and what was logged. */
export async function capturingConsoleError<T>(
  action: () => Promise<T>,
): Promise<{ result: T; logged: unknown[][] }> {
  const logged: unknown[][] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => {
    logged.push(args);
  };
  try {
    return { result: await action(), logged };
  } finally {
    console.error = consoleError;
  }
}
