// The one place a `lambda.Permission`'s statement id is derived. Without one, the provider names
// the statement after the resource (`api-GET/users/{userId}/notes-1a2b3c4`), which AWS refuses:
// a statement id is at most 100 letters, digits, `_` and `-`.

const VALID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * `Allow<Service>-<what>`, with every run of other characters made one `-`:
 * `statementId("ApiGateway", "GET /users/{userId}/notes")` → `AllowApiGateway-GET-users-userId-notes`.
 */
export function statementId(service: string, what: string): string {
  const id = `Allow${service}-${what}`.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/-+$/, "");
  if (!VALID.test(id)) throw new Error(`statement id "${id}" is not 1 to 100 of [A-Za-z0-9_-]`);
  return id;
}
