import { strict as assert } from "node:assert";
import { routes, tables } from "../../app/routes";
import { Match, RecordedResource, StackGraph } from "../harness/graph";
import { flag, forEachStack, numberSetting, physical } from "../support/stackSuite";

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

const asList = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

/** The function component of a route and its children. */
function routeFunction(g: StackGraph, routeName: string) {
  const fn = g.resource("aws:lambda/function:Function", { name: physical(g, routeName) });
  const component = g.ancestor(fn, "serverless-notes:function:Function");
  assert.ok(component, `${routeName} has no Function component`);
  const only = (type: string): RecordedResource => {
    const found = g.children(component, type);
    assert.equal(found.length, 1, `${routeName}: ${type}`);
    return found[0];
  };
  return {
    fn,
    component,
    role: only("aws:iam/role:Role"),
    rolePolicy: only("aws:iam/rolePolicy:RolePolicy"),
    logGroup: only("aws:cloudwatch/logGroup:LogGroup"),
  };
}

forEachStack("Function", (graph) => {
  for (const route of routes) {
    describe(route.name, () => {
      it("runs Node.js 24 on arm64 with the stack's memory (or the route's least), timeout and its table's name", () => {
        const g = graph();
        const table = g.resource("aws:dynamodb/table:Table", {
          name: physical(g, tables[route.table].name),
        });
        g.hasResource("aws:lambda/function:Function", {
          name: physical(g, route.name),
          runtime: "nodejs24.x",
          architectures: ["arm64"],
          handler: "__index.handler",
          memorySize: Math.max(numberSetting(g, "lambdaMemoryMb"), route.minMemoryMb ?? 0),
          timeout: numberSetting(g, "lambdaTimeoutSeconds"),
          environment: { variables: { TABLE_NAME: table.state.name } },
          tracingConfig: { mode: flag(g, "tracing") ? "Active" : "PassThrough" },
        });
      });

      it("ships the serialised handler and the AWS SDK it requires, nothing else", () => {
        const { fn } = routeFunction(graph(), route.name);
        const code = fn.inputs.code as { $archive: { assets: Record<string, unknown> } };
        const sdk = (name: string) => [
          `node_modules/@aws-sdk/${name}/dist-cjs/index.js`,
          `node_modules/@aws-sdk/${name}/package.json`,
        ];
        const names = Object.keys(code.$archive.assets);
        // The SDK's lazily loaded chunks beside its entry (infra/sdkBuild.ts).
        const chunk = /^node_modules\/\.aws-sdk\/(?!index\.js$)[\w-]+\.js$/;
        assert.ok(names.some((name) => chunk.test(name)));
        assert.deepEqual(
          names.filter((name) => !chunk.test(name)).sort(),
          [
            "__index.js",
            "node_modules/.aws-sdk/index.js",
            "node_modules/.aws-sdk/package.json",
            ...sdk("client-dynamodb"),
            // The export route writes large exports to the bucket and presigns their URLs.
            ...(route.objects?.length ? sdk("client-s3") : []),
            ...sdk("util-dynamodb"),
          ].sort(),
        );
      });

      it("has its own role, trusted by Lambda only, with no managed policy attached", () => {
        const g = graph();
        const { fn, role } = routeFunction(g, route.name);
        assert.equal(fn.inputs.role, role.state.arn);
        assert.deepEqual(role.inputs.assumeRolePolicy, {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "lambda.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        });
        const attached = g
          .all()
          .filter(
            (r) =>
              r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
              r.inputs.role === role.state.name,
          );
        assert.deepEqual(attached, []);
      });

      it("may do exactly its route's DynamoDB actions on its table, its bucket objects' and write its own logs", () => {
        const g = graph();
        const { role, rolePolicy, logGroup } = routeFunction(g, route.name);
        const table = g.resource("aws:dynamodb/table:Table", {
          name: physical(g, tables[route.table].name),
        });
        assert.equal(rolePolicy.inputs.role, role.id);
        const policy = rolePolicy.inputs.policy as { Version: string; Statement: Statement[] };
        const bucket = g
          .resources("aws:s3/bucket:Bucket")
          .find((b) => g.ancestor(b, "serverless-notes:bucket:NotesBucket"));
        const expected: Statement[] = [
          { Effect: "Allow", Action: route.actions, Resource: String(table.state.arn) },
          ...(route.objects ?? []).map((o) => ({
            Effect: "Allow",
            Action: o.actions,
            Resource: `${String(bucket?.state.arn)}/${o.prefix}*`,
          })),
          {
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${String(logGroup.state.arn)}:log-stream:*`,
          },
        ];
        if (flag(g, "tracing")) {
          expected.push({
            Effect: "Allow",
            Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            Resource: "*",
          });
        }
        assert.deepEqual(policy, { Version: "2012-10-17", Statement: expected });
        for (const s of policy.Statement) {
          for (const action of asList(s.Action)) assert.doesNotMatch(action, /\*/);
          const wildcardAllowed = asList(s.Action).every((a) => a.startsWith("xray:"));
          if (!wildcardAllowed) assert.notDeepEqual(asList(s.Resource), ["*"]);
        }
      });

      it("logs to a group it created, named for the function, kept as the stack file says", () => {
        const g = graph();
        const { fn, logGroup } = routeFunction(g, route.name);
        assert.equal(logGroup.inputs.name, `/aws/lambda/${physical(g, route.name)}`);
        assert.equal(logGroup.inputs.retentionInDays, numberSetting(g, "logRetentionDays"));
        assert.deepEqual(fn.inputs.loggingConfig, {
          logFormat: "Text",
          logGroup: logGroup.state.name,
        });
        assert.ok(fn.dependsOn.includes(`aws:cloudwatch/logGroup:LogGroup::${logGroup.name}`));
      });

      it("has an error alarm exactly where the stack file asks for alarms", () => {
        const g = graph();
        const { component } = routeFunction(g, route.name);
        const alarms = g.children(component, "aws:cloudwatch/metricAlarm:MetricAlarm");
        if (!flag(g, "alarms")) return assert.equal(alarms.length, 0);
        assert.equal(alarms.length, 1);
        assert.deepEqual(
          {
            namespace: alarms[0].inputs.namespace,
            metricName: alarms[0].inputs.metricName,
            dimensions: alarms[0].inputs.dimensions,
          },
          {
            namespace: "AWS/Lambda",
            metricName: "Errors",
            dimensions: { FunctionName: physical(g, route.name) },
          },
        );
      });
    });
  }

  it("never uses a managed FullAccess policy anywhere", () => {
    const attachments = graph()
      .all()
      .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    assert.ok(attachments.length > 0);
    for (const a of attachments) assert.doesNotMatch(String(a.inputs.policyArn), /FullAccess/);
  });

  it("records the matchers' negative case: an unmatched query fails", () => {
    assert.throws(() =>
      graph().resources("aws:lambda/function:Function", { runtime: "nodejs18.x" }),
    );
    assert.throws(() => graph().resources("aws:ec2/instance:Instance"));
    assert.throws(() =>
      graph().hasResource("aws:lambda/function:Function", { name: Match.absent() }),
    );
  });
});
