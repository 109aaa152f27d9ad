// The offline engine runs the program as the Pulumi CLI does and refuses what the CLI's engine
// refuses: these tests run the real program (and a tiny fixture program) through cmd/run.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { launchProblems, programLaunch, readProjectFile } from "../../engine/project";
import { runProgram } from "../../engine/run";
import { UNKNOWN } from "../../engine/wire";
import { REPO_ROOT } from "../../local/stackConfig";
import { renderPlan } from "../../plan/render";
import { recordStack, STACKS, stackGraph } from "../harness/graph";

const FIXTURE = path.join(__dirname, "fixture");

function runFixture(scenario: string, cache?: boolean) {
  return runProgram({
    cache,
    stack: "test",
    root: FIXTURE,
    config: {
      "engine-fixture:scenario": scenario,
      "pulumi:disable-default-providers": '["aws"]',
    },
    dryRun: false,
    cloud: { region: "ap-northeast-2" },
  });
}

describe("the offline engine runs the program as the CLI does", function () {
  this.timeout(120_000);

  it("starts the repository's program in the project root, on package.json's main", () => {
    const launch = programLaunch(REPO_ROOT);
    assert.equal(launch.pwd, REPO_ROOT);
    assert.equal(launch.entryPoint, ".");
    assert.deepEqual(launchProblems(launch), []);
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    assert.equal(manifest.main, "stacks/index.ts");
  });

  it("fails the way the CLI would with a directory in Pulumi.yaml's main (defect 1)", async () => {
    const project = { ...readProjectFile(REPO_ROOT), main: "stacks/" };
    const graph = await recordStack("dev", { project });
    assert.match(graph.recorded.error ?? "", /main makes the CLI run the program in .*stacks/);
    assert.match(graph.recorded.error ?? "", /not with the tsconfig\.json that npm run typecheck/);
    // And the program itself, started in stacks/, fails as it did under the real CLI.
    assert.match(graph.recorded.error ?? "", /csv-parse|node_modules/);
  });

  it("hands the tsconfig named in runtime.options to cmd/run, which refuses a missing one", async () => {
    const project = readProjectFile(REPO_ROOT);
    const runtime = {
      name: "nodejs",
      options: { typescript: true, tsconfig: "tsconfig.missing.json" },
    };
    const graph = await recordStack("dev", { project: { ...project, runtime } });
    assert.match(graph.recorded.error ?? "", /tsconfig path was set to tsconfig\.missing\.json/);
    assert.equal(graph.recorded.resources.length, 0);
  });

  it("records the same stack from its caches as without them (programHooks.js)", async () => {
    const cached = await stackGraph("dev");
    const uncached = await recordStack("dev", { cache: false });
    assert.equal(uncached.recorded.error, undefined);
    const functions = cached.resources("aws:lambda/function:Function");
    assert.ok(functions.length > 0);
    assert.equal(renderPlan(cached.recorded, REPO_ROOT), renderPlan(uncached.recorded, REPO_ROOT));
  });

  for (const stack of STACKS) {
    it(`previews ${stack}: ids and computed outputs unknown, checked names known`, async () => {
      const preview = await recordStack(stack, { dryRun: true });
      assert.equal(preview.recorded.error, undefined);
      const up = await stackGraph(stack);
      assert.equal(preview.all().length, up.all().length);
      const custom = preview.all().filter((r) => r.custom && !r.type.startsWith("pulumi:"));
      assert.ok(custom.length > 50);
      for (const r of custom) assert.equal(r.id, undefined, `${r.type} ${r.name} has an id`);
      const fn = preview.resources("aws:lambda/function:Function")[0];
      assert.equal(fn.state.arn, undefined, "a preview answers no ARN");
      assert.match(String(fn.inputs.name), /^serverless-notes-/);
      assert.equal(preview.outputs.apiUrl, UNKNOWN);
    });
  }
});

describe("the offline engine refuses what the CLI's engine refuses", function () {
  this.timeout(60_000);

  it("accepts a well-formed program", async () => {
    const run = await runFixture("duplicate");
    assert.ok(run.resources.some((r) => r.name === "accepted" && r.type === "aws:sqs/queue:Queue"));
  });

  it("two resources with one URN", async () => {
    const run = await runFixture("duplicate");
    assert.match(
      run.error ?? "",
      /Duplicate resource URN 'urn:pulumi:test::engine-fixture::aws:sqs\/queue:Queue::twice'/,
    );
  });

  it("a resource on the default provider when the stack disables it", async () => {
    const run = await runFixture("default-provider");
    assert.match(
      run.error ?? "",
      /Default provider for 'aws' disabled\. 'urn:pulumi:test::engine-fixture::aws:sqs\/queue:Queue::no-provider' must use an explicit provider/,
    );
  });

  it("an asset whose file is not there, relative to the program's working directory", async () => {
    const run = await runFixture("missing-asset");
    assert.match(run.error ?? "", /failed to compute asset hash: open missing\.txt/);
  });

  it("what the provider's Check refuses, printed as the engine prints it (defect 2)", async () => {
    const run = await runFixture("permission-without-statement-id");
    assert.match(
      run.error ?? "",
      /aws:lambda\/permission:Permission resource 'api-GET\/users\/\{userId\}\/notes': property statementId value \{api-GET\/users\/\{userId\}\/notes-[0-9a-f]{7}\} has a problem/,
    );
  });

  it("a closure it cannot serialise, named by file and line with the caches and without", async () => {
    // With the caches the inspector session opens only at this first serialisation, after
    // index.js was loaded: its location must still come through (programHooks.js, 4).
    for (const cache of [true, false]) {
      const run = await runFixture("unserializable", cache);
      assert.match(
        run.error ?? "",
        /Error serializing '\(\) => native\(1, 2\)': index\.js\(\d+,\d+\)/,
      );
      assert.match(run.error ?? "", /it was a native code function/);
    }
  });

  it("a program that throws", async () => {
    const run = await runFixture("throws");
    assert.match(run.error ?? "", /the program failed on purpose/);
  });
});
