// The HTTP shape every handler shares: responses, CORS, the error body, JSON bodies, the method
// check and the last-resort 500. Handlers only parse, call DynamoDB once and pick a status.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";

export type Handler = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<APIGatewayProxyResult>;

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

const MAX_BODY_BYTES = 64 * 1024;
const JSON_CONTENT_TYPE = /^application\/json\s*(;.*)?$/i;

/**
 * A 4xx answer, thrown by validation and turned into a response by `endpoint`. It is an `Error`
 * with fields rather than a subclass: Pulumi's closure serialiser rewrites `class … extends Error`
 * into `Error.call(this, message)`, which loses the message.
 */
export interface ClientError extends Error {
  readonly name: "ClientError";
  readonly status: number;
  readonly code: string;
  readonly headers?: Record<string, string>;
}

export function clientError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): ClientError {
  return Object.assign(new Error(message), { name: "ClientError" as const, status, code, headers });
}

function isClientError(error: unknown): error is ClientError {
  return error instanceof Error && error.name === "ClientError";
}

function corsHeaders(): Record<string, string> {
  const origin = process.env.CORS_ORIGIN || "*";
  // A single allowed origin makes the response depend on it, so caches must key on Origin.
  return origin === "*"
    ? { "Access-Control-Allow-Origin": "*" }
    : { "Access-Control-Allow-Origin": origin, Vary: "Origin" };
}

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return jsonText(status, JSON.stringify(body), headers);
}

/** `json` for a body already serialised, e.g. one built a page at a time. */
export function jsonText(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { "Content-Type": "application/json", ...corsHeaders(), ...headers },
    body,
  };
}

export function noContent(): APIGatewayProxyResult {
  return { statusCode: 204, headers: corsHeaders(), body: "" };
}

function errorResponse(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): APIGatewayProxyResult {
  return json(status, { error: { code, message } }, headers);
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const found = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === wanted);
  return found?.[1];
}

/** Lone UTF-16 surrogates: what a text body holds where its bytes were not valid UTF-8. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The body's text, refusing invalid UTF-8 (base64 bodies) or lone surrogates (text bodies) with
 * 400 rather than storing U+FFFD in their place.
 */
function utf8Text(bytes: Buffer, text: string | null): string {
  if (text !== null && LONE_SURROGATE.test(text)) {
    throw clientError(400, "InvalidEncoding", "The body is not valid UTF-8");
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw clientError(400, "InvalidEncoding", "The body is not valid UTF-8");
  }
}

/** The request body as a JSON object; throws a `ClientError` (415 or 400) otherwise. */
export function parseJsonBody(event: APIGatewayProxyEvent): Record<string, unknown> {
  if (!JSON_CONTENT_TYPE.test(header(event, "content-type") ?? "")) {
    throw clientError(415, "UnsupportedMediaType", "The body must be JSON (application/json)");
  }
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? "", "base64")
    : Buffer.from(event.body ?? "", "utf8");
  if (raw.length > MAX_BODY_BYTES) {
    throw clientError(400, "PayloadTooLarge", `The body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Text(raw, event.isBase64Encoded ? null : (event.body ?? "")));
  } catch (error) {
    if (isClientError(error)) throw error;
    throw clientError(400, "InvalidJson", "The body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw clientError(400, "InvalidBody", "The body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

/**
 * The handler for one route: answers 405 to any other method, a thrown `ClientError` with its
 * status, and anything else with a generic 500 whose details go only to the log.
 */
export function endpoint(method: HttpMethod, handle: Handler): Handler {
  return async (event, context) => {
    if (event.httpMethod !== method) {
      return errorResponse(
        405,
        "MethodNotAllowed",
        `Method ${event.httpMethod} is not allowed here; use ${method}`,
        { Allow: method },
      );
    }
    try {
      return await handle(event, context);
    } catch (error) {
      if (isClientError(error)) {
        return errorResponse(error.status, error.code, error.message, error.headers);
      }
      console.error(
        `Unhandled error (awsRequestId=${context.awsRequestId}, ` +
          `apiRequestId=${event.requestContext?.requestId})`,
        error,
      );
      return errorResponse(500, "InternalError", "Internal server error");
    }
  };
}
