// A stage serves a frozen deployment of the API, so a change reaches it only through a new
// deployment, which happens only when the deployment's trigger changes. The trigger must move
// with every input of every resource the deployment serves: methods, integrations, their
// responses, gateway responses, resources and the API itself, and every route added.
import { strict as assert } from "node:assert";
import { canonicalJson, redeploymentHash } from "../../infra/deploymentInputs";
import { RecordedResource, StackGraph, recordStack, stackGraph } from "../harness/graph";
import { forEachStack } from "../support/stackSuite";

const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
/** API Gateway resources that are not part of what a deployment snapshots. */
const NOT_SERVED = new Set([
  DEPLOYMENT,
  "aws:apigateway/stage:Stage",
  "aws:apigateway/methodSettings:MethodSettings",
  "aws:apigateway/account:Account",
]);

const keyOf = (r: RecordedResource) => `${r.type}::${r.name}`;

function trigger(g: StackGraph): string {
  return (g.resource(DEPLOYMENT).inputs.triggers as { redeployment: string }).redeployment;
}

/**
 * The served resources' recorded inputs, by `type::name`, as the deployment's trigger hashes
 * them: the API Gateway resources it depends on (the trigger itself makes it depend on the
 * functions whose ARNs the integrations name, too).
 */
function served(g: StackGraph): Record<string, Record<string, unknown>> {
  const byKey = new Map(g.all().map((r) => [keyOf(r), r]));
  const apiGateway = g
    .resource(DEPLOYMENT)
    .dependsOn.filter((k) => k.startsWith("aws:apigateway/"));
  return Object.fromEntries(
    apiGateway.map((k) => {
      const r = byKey.get(k);
      assert.ok(r, `the deployment depends on ${k}, which was not recorded`);
      return [k, structuredClone(r.inputs)];
    }),
  );
}

/** The one served resource of a type whose inputs pass `where`. */
function pick(
  inputs: Record<string, Record<string, unknown>>,
  type: string,
  where: (i: Record<string, unknown>) => boolean = () => true,
): Record<string, unknown> {
  const found = Object.entries(inputs).find(([k, i]) => k.startsWith(`${type}::`) && where(i));
  assert.ok(found, `no served ${type} matches`);
  return found[1];
}

const METHOD = "aws:apigateway/method:Method";
const INTEGRATION = "aws:apigateway/integration:Integration";
const METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse";
const INTEGRATION_RESPONSE = "aws:apigateway/integrationResponse:IntegrationResponse";
const GATEWAY_RESPONSE = "aws:apigateway/response:Response";

type Inputs = Record<string, Record<string, unknown>>;
/** One change of each kind of API input: each must change the trigger. */
const CHANGES: Record<string, (inputs: Inputs) => void> = {
  "a method's authorization": (i) => {
    const method = pick(i, METHOD, (m) => m.httpMethod === "GET");
    method.authorization = method.authorization === "AWS_IAM" ? "NONE" : "AWS_IAM";
  },
  "an integration's uri": (i) => {
    pick(i, INTEGRATION, (m) => m.type === "AWS_PROXY").uri = "arn:aws:lambda:other";
  },
  "an integration's type": (i) => {
    pick(i, INTEGRATION, (m) => m.type === "AWS_PROXY").type = "AWS";
  },
  "a mock integration's request template": (i) => {
    const mock = pick(i, INTEGRATION, (m) => m.type === "MOCK");
    mock.requestTemplates = { "application/json": '{"statusCode": 204}' };
  },
  "a method response's parameters": (i) => {
    const response = pick(i, METHOD_RESPONSE);
    response.responseParameters = { "method.response.header.X-Extra": true };
  },
  "an integration response's parameters": (i) => {
    const answer = pick(i, INTEGRATION_RESPONSE);
    const params = answer.responseParameters as Record<string, string>;
    answer.responseParameters = { ...params, "method.response.header.X-Extra": "'1'" };
  },
  "an integration response's template": (i) => {
    const answer = pick(i, INTEGRATION_RESPONSE, (a) => a.responseTemplates !== undefined);
    answer.responseTemplates = { "application/json": "{}" };
  },
  "a gateway response's parameters": (i) => {
    const response = pick(i, GATEWAY_RESPONSE);
    response.responseParameters = {};
  },
  "a gateway response's template": (i) => {
    pick(i, GATEWAY_RESPONSE).responseTemplates = { "application/json": '{"message": "x"}' };
  },
  "a new route": (i) => {
    const get = pick(i, METHOD, (m) => m.httpMethod === "GET");
    i[`${METHOD}::api-PATCH/new`] = { ...get, httpMethod: "PATCH" };
    i[`${INTEGRATION}::api-PATCH/new`] = { ...pick(i, INTEGRATION), httpMethod: "PATCH" };
  },
};

describe("redeploymentHash", () => {
  it("depends on the values only, not on the order of keys or on undefined fields", () => {
    assert.equal(
      canonicalJson({ b: 1, a: [1, { d: 2, c: undefined }] }),
      '{"a":[1,{"d":2}],"b":1}',
    );
    assert.equal(redeploymentHash({ x: { a: 1, b: 2 } }), redeploymentHash({ x: { b: 2, a: 1 } }));
    assert.notEqual(redeploymentHash({ x: { a: 1 } }), redeploymentHash({ x: { a: 2 } }));
  });
});

forEachStack("The API deployment", (graph) => {
  it("waits for every API Gateway resource the stage serves", () => {
    const g = graph();
    const dependsOn = new Set(g.resource(DEPLOYMENT).dependsOn);
    const missing = g
      .all()
      .filter((r) => r.type.startsWith("aws:apigateway/") && !NOT_SERVED.has(r.type))
      .map(keyOf)
      .filter((k) => !dependsOn.has(k));
    assert.deepEqual(missing, []);
  });

  it("hashes every input of every resource it serves into its trigger", () => {
    const g = graph();
    assert.equal(trigger(g), redeploymentHash(served(g)));
  });

  for (const [what, change] of Object.entries(CHANGES)) {
    it(`redeploys on ${what}`, () => {
      const g = graph();
      const inputs = served(g);
      change(inputs);
      assert.notEqual(redeploymentHash(inputs), trigger(g));
    });
  }
});

describe("The API deployment under changed config", () => {
  it("redeploys dev when its CORS origin changes", async function () {
    this.timeout(120_000);
    const [before, after] = await Promise.all([
      stackGraph("dev"),
      recordStack("dev", { set: { "serverless-notes:corsOrigin": "https://x.example" } }),
    ]);
    assert.equal(after.recorded.error, undefined);
    assert.notEqual(trigger(after), trigger(before));
    assert.equal(trigger(after), redeploymentHash(served(after)));
  });
});
