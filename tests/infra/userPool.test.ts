import { strict as assert } from "node:assert";
import { routes } from "../../app/routes";
import { Match, RecordedResource, StackGraph } from "../harness/graph";
import { flag, forEachStack, numberSetting, physical } from "../support/stackSuite";

/** The full path of a recorded API Gateway resource, rebuilt from its parent chain. */
function pathOf(g: StackGraph, resourceId: unknown): string {
  const api = g.resource("aws:apigateway/restApi:RestApi");
  if (resourceId === api.state.rootResourceId) return "/";
  const resource = g
    .all()
    .find((r) => r.type === "aws:apigateway/resource:Resource" && r.id === resourceId);
  assert.ok(resource, `no resource with id ${String(resourceId)}`);
  const parent = pathOf(g, resource.inputs.parentId);
  return `${parent === "/" ? "" : parent}/${String(resource.inputs.pathPart)}`;
}

function methodsAt(g: StackGraph, path: string): RecordedResource[] {
  return g
    .resources("aws:apigateway/method:Method")
    .filter((m) => pathOf(g, m.inputs.resourceId) === path);
}

forEachStack("UserPool", (graph) => {
  it("lets people sign up with their email, verified by a code, under a 12-character policy", () => {
    const g = graph();
    g.hasResource("aws:cognito/userPool:UserPool", {
      name: physical(g, "users"),
      usernameAttributes: ["email"],
      autoVerifiedAttributes: ["email"],
      verificationMessageTemplate: { defaultEmailOption: "CONFIRM_WITH_CODE" },
      adminCreateUserConfig: { allowAdminCreateUserOnly: false },
      passwordPolicy: {
        minimumLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: false,
      },
      accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
    });
  });

  it("protects the pool as the stack file says", () => {
    const g = graph();
    const [pool] = g.resources("aws:cognito/userPool:UserPool");
    assert.equal(
      pool.inputs.deletionProtection,
      flag(g, "userPoolDeletionProtection") ? "ACTIVE" : "INACTIVE",
    );
    assert.equal(pool.protect, flag(g, "protectUserPool"));
    if (g.stack === "prod") assert.equal(pool.inputs.deletionProtection, "ACTIVE");
  });

  it("gives the website a public client: no secret, password sign-in and refresh, hour-long tokens", () => {
    const g = graph();
    const pool = g.resource("aws:cognito/userPool:UserPool");
    g.hasResource("aws:cognito/userPoolClient:UserPoolClient", {
      name: physical(g, "site"),
      userPoolId: pool.id,
      generateSecret: false,
      explicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      idTokenValidity: 60,
      accessTokenValidity: 60,
      refreshTokenValidity: numberSetting(g, "refreshTokenValidityDays"),
      tokenValidityUnits: { idToken: "minutes", accessToken: "minutes", refreshToken: "days" },
      preventUserExistenceErrors: "ENABLED",
    });
  });

  it("puts one Cognito authorizer of this pool in front of the API", () => {
    const g = graph();
    const pool = g.resource("aws:cognito/userPool:UserPool");
    const api = g.resource("aws:apigateway/restApi:RestApi");
    g.hasResource("aws:apigateway/authorizer:Authorizer", {
      restApi: api.id,
      type: "COGNITO_USER_POOLS",
      providerArns: [pool.state.arn],
      identitySource: "method.request.header.Authorization",
    });
    assert.equal(g.resources("aws:apigateway/authorizer:Authorizer").length, 1);
  });

  it("lets only signed-in callers reach every notes method, export included; moods and OPTIONS stay open", () => {
    const g = graph();
    const authorizer = g.resource("aws:apigateway/authorizer:Authorizer");
    let owned = 0;
    for (const route of routes) {
      const [method] = methodsAt(g, route.path).filter((m) => m.inputs.httpMethod === route.method);
      assert.ok(method, `${route.method} ${route.path}`);
      if (route.path.includes("{userId}")) {
        assert.equal(route.access, "owner", route.name);
        assert.equal(method.inputs.authorization, "COGNITO_USER_POOLS", route.name);
        assert.equal(method.inputs.authorizerId, authorizer.id, route.name);
        owned++;
      } else {
        assert.equal(route.access, "public", route.name);
        assert.equal(method.inputs.authorization, "NONE", route.name);
        assert.equal(method.inputs.authorizerId, undefined, route.name);
      }
    }
    assert.equal(owned, 6);
    const options = g.resources("aws:apigateway/method:Method", { httpMethod: "OPTIONS" });
    assert.ok(options.length > 0);
    for (const m of options) assert.equal(m.inputs.authorization, "NONE");
    // The 405 answer of a user's path tells a stranger nothing either.
    for (const m of g.resources("aws:apigateway/method:Method", { httpMethod: "ANY" })) {
      const path = pathOf(g, m.inputs.resourceId);
      const signedIn = path.includes("{userId}");
      assert.equal(m.inputs.authorization, signedIn ? "COGNITO_USER_POOLS" : "NONE", path);
      assert.equal(m.inputs.authorizerId, signedIn ? authorizer.id : undefined, path);
    }
  });

  for (const [responseType, statusCode, code] of [
    ["UNAUTHORIZED", "401", "Unauthorized"],
    ["ACCESS_DENIED", "403", "Forbidden"],
  ]) {
    it(`answers an authorizer's ${statusCode} with CORS headers and the JSON error body`, () => {
      const g = graph();
      const [response] = g.resources("aws:apigateway/response:Response", {
        responseType,
        statusCode,
        responseParameters: {
          "gatewayresponse.header.Access-Control-Allow-Origin": Match.stringMatching(/^'.+'$/),
          "gatewayresponse.header.Access-Control-Allow-Headers":
            Match.stringMatching(/Authorization/),
        },
      });
      const template = String(
        (response.inputs.responseTemplates as Record<string, string>)["application/json"],
      );
      const body = JSON.parse(template.replace("$context.error.messageString", '"Unauthorized"'));
      assert.deepEqual(body, { error: { code, message: "Unauthorized" } });
    });
  }

  it("outputs the pool id and the client id", () => {
    const g = graph();
    const pool = g.resource("aws:cognito/userPool:UserPool");
    const client = g.resource("aws:cognito/userPoolClient:UserPoolClient");
    assert.equal(g.outputs.userPoolId, pool.id);
    assert.equal(g.outputs.userPoolClientId, client.id);
  });
});
