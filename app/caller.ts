// Who is calling: the signed-in person that API Gateway's Cognito authorizer vouched for. Every
// notes route is this person's own data, so the handler refuses any other `{userId}` itself,
// before DynamoDB: a route deployed without its authorizer still leaks nothing.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { clientError, endpoint } from "./http";
import type { Handler, HttpMethod } from "./http";
import { isValidId } from "./ids";

/** A notes handler, given the path's `{userId}` once it is known to be the caller's own. */
export type OwnerHandler = (
  event: APIGatewayProxyEvent,
  userId: string,
  context: Context,
) => Promise<APIGatewayProxyResult>;

/**
 * The caller's user id: the `sub` claim that a Cognito user pools authorizer puts in
 * `requestContext.authorizer.claims`. No claims means no authorizer ran: 401.
 */
export function callerOf(event: APIGatewayProxyEvent): string {
  const claims: unknown = event.requestContext?.authorizer?.claims;
  const sub =
    typeof claims === "object" && claims !== null ? (claims as { sub?: unknown }).sub : undefined;
  if (typeof sub !== "string" || sub === "") {
    throw clientError(401, "Unauthorized", "Sign in to use your notes");
  }
  return sub;
}

/**
 * The path's `{userId}` when it is the caller's: 401 without a caller, 400 for a malformed id,
 * 403 for anyone else's.
 */
export function ownerOf(event: APIGatewayProxyEvent): string {
  const caller = callerOf(event);
  const userId = event.pathParameters?.userId;
  if (!isValidId(userId)) {
    throw clientError(400, "InvalidUserId", 'userId must be 1 to 64 letters, digits, "_" or "-"');
  }
  if (userId !== caller) {
    throw clientError(403, "Forbidden", "These notes belong to another user");
  }
  return userId;
}

/** `endpoint` for a route under `/users/{userId}`: only that user may call it. */
export function ownerEndpoint(method: HttpMethod, handle: OwnerHandler): Handler {
  return endpoint(method, (event, context) => handle(event, ownerOf(event), context));
}
