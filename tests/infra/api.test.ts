import { strict as assert } from "node:assert";
import { routes } from "../../app/routes";
import { permissionPath } from "../../infra/api";
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

/** What the stack file's `corsOrigin` means for this stack. */
function expectedOrigin(g: StackGraph): string {
  const origin = g.config("serverless-notes:corsOrigin");
  return origin === "site" ? String(g.outputs.siteUrl) : origin;
}

function methodAt(g: StackGraph, httpMethod: string, path: string): RecordedResource {
  const found = g
    .resources("aws:apigateway/method:Method", { httpMethod })
    .filter((m) => pathOf(g, m.inputs.resourceId) === path);
  assert.equal(found.length, 1, `${httpMethod} ${path}`);
  return found[0];
}

forEachStack("Api", (graph) => {
  for (const route of routes) {
    it(`routes ${route.method} ${route.path} to its function through AWS_PROXY`, () => {
      const g = graph();
      const api = g.resource("aws:apigateway/restApi:RestApi");
      const fn = g.resource("aws:lambda/function:Function", { name: physical(g, route.name) });
      const method = methodAt(g, route.method, route.path);
      assert.equal(method.inputs.restApi, api.id);
      const integrations = g
        .resources("aws:apigateway/integration:Integration", {
          httpMethod: route.method,
          type: "AWS_PROXY",
          integrationHttpMethod: "POST",
          uri: fn.state.invokeArn,
        })
        .filter((i) => i.inputs.resourceId === method.inputs.resourceId);
      assert.equal(integrations.length, 1);
    });

    it(`lets API Gateway invoke ${route.name} for ${route.method} ${route.path} only`, () => {
      const g = graph();
      const api = g.resource("aws:apigateway/restApi:RestApi");
      const permissions = g.resources("aws:lambda/permission:Permission", {
        function: physical(g, route.name),
      });
      assert.equal(permissions.length, 1);
      const expectedPath = route.method + route.path.replace(/\{[^}]+\}/g, "*");
      assert.equal(permissionPath(route.method, route.path), expectedPath);
      assert.deepEqual(permissions[0].inputs, {
        statementId: `AllowApiGateway-${route.method}${route.path.replace(/[/{}]+/g, "-").replace(/-$/, "")}`,
        action: "lambda:InvokeFunction",
        function: physical(g, route.name),
        principal: "apigateway.amazonaws.com",
        sourceArn: `${String(api.state.executionArn)}/*/${expectedPath}`,
      });
    });
  }

  for (const path of [...new Set(routes.map((r) => r.path))]) {
    it(`answers the CORS preflight on ${path} at the gateway`, () => {
      const g = graph();
      const options = methodAt(g, "OPTIONS", path);
      const resourceId = options.inputs.resourceId;
      const mock = g
        .resources("aws:apigateway/integration:Integration", {
          httpMethod: "OPTIONS",
          type: "MOCK",
        })
        .filter((i) => i.inputs.resourceId === resourceId);
      assert.equal(mock.length, 1);
      const answers = g
        .resources("aws:apigateway/integrationResponse:IntegrationResponse", { statusCode: "200" })
        .filter((i) => i.inputs.resourceId === resourceId);
      assert.equal(answers.length, 1);
      const methods = routes.filter((r) => r.path === path).map((r) => r.method);
      const headers = answers[0].inputs.responseParameters as Record<string, string>;
      assert.equal(
        headers["method.response.header.Access-Control-Allow-Origin"],
        `'${expectedOrigin(g)}'`,
      );
      assert.equal(
        headers["method.response.header.Access-Control-Allow-Methods"],
        `'${[...methods, "OPTIONS"].join(",")}'`,
      );
      assert.match(headers["method.response.header.Access-Control-Allow-Headers"], /Content-Type/);
      // Browsers read `Access-Control-Max-Age`; `Access-Control-Allow-Max-Age` is no header.
      assert.equal(headers["method.response.header.Access-Control-Max-Age"], "'600'");
      const declared = g
        .resources("aws:apigateway/methodResponse:MethodResponse", { statusCode: "200" })
        .filter((r) => r.inputs.resourceId === resourceId);
      assert.equal(declared.length, 1);
      assert.deepEqual(
        Object.keys(declared[0].inputs.responseParameters as object).sort(),
        Object.keys(headers).sort(),
      );
      for (const name of Object.keys(headers)) {
        assert.doesNotMatch(name, /Allow-Max-Age/);
      }
    });
  }

  for (const path of [...new Set(routes.map((r) => r.path))]) {
    it(`answers any other method on ${path} with the SPEC's 405 at the gateway`, () => {
      const g = graph();
      const any = methodAt(g, "ANY", path);
      const resourceId = any.inputs.resourceId;
      const mock = g
        .resources("aws:apigateway/integration:Integration", { httpMethod: "ANY", type: "MOCK" })
        .filter((i) => i.inputs.resourceId === resourceId);
      assert.equal(mock.length, 1);
      const [answer] = g
        .resources("aws:apigateway/integrationResponse:IntegrationResponse", {
          httpMethod: "ANY",
          statusCode: "405",
        })
        .filter((i) => i.inputs.resourceId === resourceId);
      assert.ok(answer, `no 405 answer on ${path}`);
      const methods = routes.filter((r) => r.path === path).map((r) => r.method);
      assert.deepEqual(answer.inputs.responseParameters, {
        "method.response.header.Access-Control-Allow-Origin": `'${expectedOrigin(g)}'`,
        "method.response.header.Allow": `'${[...methods, "OPTIONS"].join(",")}'`,
      });
      const body = JSON.parse(
        (answer.inputs.responseTemplates as Record<string, string>)["application/json"],
      ) as { error: { code: string; message: string } };
      assert.equal(body.error.code, "MethodNotAllowed");
      // No route's own method is shadowed: explicit methods win over ANY in API Gateway.
      for (const m of methods) assert.ok(methodAt(g, m, path));
    });
  }

  it("gives notes/export a resource of its own beside {noteId}: API Gateway matches it first", () => {
    const g = graph();
    const [exportPath] = g.resources("aws:apigateway/resource:Resource", { pathPart: "export" });
    const [noteIdPath] = g.resources("aws:apigateway/resource:Resource", { pathPart: "{noteId}" });
    assert.equal(pathOf(g, exportPath.id), "/users/{userId}/notes/export");
    assert.equal(exportPath.inputs.parentId, noteIdPath.inputs.parentId);
    assert.deepEqual(
      g
        .resources("aws:apigateway/method:Method")
        .filter((m) => m.inputs.resourceId === exportPath.id)
        .map((m) => m.inputs.httpMethod)
        .sort(),
      ["ANY", "GET", "OPTIONS"],
    );
  });

  it("puts CORS headers on the gateway's own 4XX and 5XX answers", () => {
    const g = graph();
    for (const responseType of ["DEFAULT_4XX", "DEFAULT_5XX"]) {
      g.hasResource("aws:apigateway/response:Response", {
        responseType,
        responseParameters: {
          "gatewayresponse.header.Access-Control-Allow-Origin": `'${expectedOrigin(g)}'`,
        },
      });
    }
  });

  it("gives each route's function the same allowed origin as the gateway", () => {
    const g = graph();
    for (const route of routes) {
      const fn = g.resource("aws:lambda/function:Function", { name: physical(g, route.name) });
      const vars = (fn.inputs.environment as { variables: Record<string, string> }).variables;
      assert.equal(vars.CORS_ORIGIN, expectedOrigin(g), fn.name);
    }
  });

  it("redeploys when the routes change: the deployment's trigger hashes the route table", () => {
    const g = graph();
    const deployment = g.resource("aws:apigateway/deployment:Deployment");
    const triggers = deployment.inputs.triggers as Record<string, string>;
    assert.match(triggers.redeployment, /^[0-9a-f]{64}$/);
    const methodsAndIntegrations = deployment.dependsOn.filter((d) =>
      /apigateway\/(method|integration):/.test(d),
    );
    assert.equal(methodsAndIntegrations.length, 2 * g.count("aws:apigateway/method:Method"));
  });

  it("names the stage after the environment, with tracing and access logs as the stack file says", () => {
    const g = graph();
    const stage = g.resource("aws:apigateway/stage:Stage", {
      stageName: g.stack,
      xrayTracingEnabled: flag(g, "tracing"),
    });
    if (!flag(g, "apiAccessLogs")) {
      assert.equal(stage.inputs.accessLogSettings, undefined);
      assert.equal(g.count("aws:apigateway/account:Account"), 0);
      return;
    }
    const accessLog = g.resource("aws:cloudwatch/logGroup:LogGroup", {
      name: Match.stringMatching(/^\/aws\/apigateway\//),
      retentionInDays: numberSetting(g, "logRetentionDays"),
    });
    assert.deepEqual(Object.keys(stage.inputs.accessLogSettings as object).sort(), [
      "destinationArn",
      "format",
    ]);
    assert.equal(
      (stage.inputs.accessLogSettings as { destinationArn: string }).destinationArn,
      accessLog.state.arn,
    );
    // Access logging needs the account-level CloudWatch role, before the stage is updated.
    const account = g.resource("aws:apigateway/account:Account");
    assert.ok(stage.dependsOn.includes(`aws:apigateway/account:Account::${account.name}`));
    const role = g
      .all()
      .find(
        (r) => r.type === "aws:iam/role:Role" && r.state.arn === account.inputs.cloudwatchRoleArn,
      );
    assert.ok(role);
    g.hasResource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
      role: role.state.name,
      policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    });
  });

  it("throttles every method of the stage as the stack file says", () => {
    const g = graph();
    g.hasResource("aws:apigateway/methodSettings:MethodSettings", {
      stageName: g.stack,
      methodPath: "*/*",
      settings: {
        throttlingRateLimit: numberSetting(g, "throttleRateLimit"),
        throttlingBurstLimit: numberSetting(g, "throttleBurstLimit"),
        metricsEnabled: true,
      },
    });
  });

  it("alarms on 5XX responses exactly where the stack file asks for alarms", () => {
    const g = graph();
    const alarms = g
      .all()
      .filter(
        (r) =>
          r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" &&
          r.inputs.namespace === "AWS/ApiGateway",
      );
    if (!flag(g, "alarms")) return assert.equal(alarms.length, 0);
    assert.equal(alarms.length, 1);
    assert.equal(alarms[0].inputs.metricName, "5XXError");
    assert.deepEqual(alarms[0].inputs.dimensions, { ApiName: physical(g, "api"), Stage: g.stack });
  });
});
