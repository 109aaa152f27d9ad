// The SDK a function ships (infra/sdkBundle.ts), run as the Lambda runtime runs it: the
// serialised `require` finds the shipped bundle before the runtime's SDK on NODE_PATH, nothing
// of the runtime's copy loads while the execution role's credentials are in the environment, and
// the credential providers left out load from the runtime's copy when a call needs them.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type * as pulumi from "@pulumi/pulumi";
import { LEFT_TO_THE_RUNTIME, sdkEntries } from "../../infra/sdkBundle";
import { startDynamoEmulator } from "../../local/dynamodb";
import type { DynamoEmulator } from "../../local/dynamodb";
import { startFunction } from "../../local/lambdaRuntime";
import { nodeFor } from "../../local/nodeRuntime";
import { resultOf } from "../support/bundled";
import { ROOT } from "../support/bundled";

// In the closure serialiser's style: the module captured as a `const` bound to its CJS file.
const HANDLER = `
const client_dynamodb_1 = require("@aws-sdk/client-dynamodb/dist-cjs/index.js");
const client = new client_dynamodb_1.DynamoDBClient({});
exports.handler = async (event) => {
  await client.send(new client_dynamodb_1.PutItemCommand({ TableName: "notes", Item: { k: { S: event.k } } }));
  const out = await client.send(new client_dynamodb_1.GetItemCommand({ TableName: "notes", Key: { k: { S: event.k } } }));
  return {
    item: out.Item,
    modules: Object.keys(require.cache),
    http2: process.moduleLoadList.includes("NativeModule http2"),
  };
};
`;

interface Probe {
  item: unknown;
  modules: string[];
  http2: boolean;
}

/** Writes the archive entries into a fresh task root, as Lambda extracts them. */
async function taskRootOf(entries: Record<string, pulumi.asset.Asset>): Promise<string> {
  const taskRoot = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-bundle-test-"));
  fs.writeFileSync(path.join(taskRoot, "__index.js"), HANDLER);
  for (const [name, asset] of Object.entries(entries)) {
    const target = path.join(taskRoot, name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const text = await (asset as pulumi.asset.StringAsset).text;
    if (text !== undefined) fs.writeFileSync(target, text);
    else fs.copyFileSync(path.resolve(ROOT, await (asset as pulumi.asset.FileAsset).path), target);
  }
  return taskRoot;
}

describe("the shipped AWS SDK, run as Lambda runs it", function () {
  this.timeout(120_000);
  let dynamo: DynamoEmulator;
  let entries: Record<string, pulumi.asset.Asset>;
  let taskRoot: string;
  const scratch: string[] = [];

  before(async () => {
    dynamo = await startDynamoEmulator();
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: "eu-west-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    await client.send(
      new CreateTableCommand({
        TableName: "notes",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "k", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "k", KeyType: "HASH" }],
      }),
    );
    client.destroy();
    entries = await sdkEntries(HANDLER, 24, ROOT);
    taskRoot = await taskRootOf(entries);
    scratch.push(taskRoot);
  });

  after(async () => {
    await dynamo?.close();
    for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function invoke(environment: Record<string, string>, k: string): Promise<Probe> {
    const fn = startFunction({
      name: "sdk-bundle-test",
      codeDir: taskRoot,
      handler: "__index.handler",
      environment: {
        AWS_REGION: "eu-west-1",
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        ...environment,
      },
      timeoutSeconds: 10,
      memoryMb: 128,
      node: nodeFor("nodejs24.x"),
    });
    try {
      return resultOf(await fn.invoke({ k }), "probe") as Probe;
    } finally {
      await fn.close();
    }
  }

  it("ships the package as installed: its version, and the specifier the handler requires", () => {
    const installed = JSON.parse(
      fs.readFileSync(
        path.join(ROOT, "node_modules/@aws-sdk/client-dynamodb/package.json"),
        "utf8",
      ),
    ) as { version: string };
    const manifest = JSON.parse(
      fs.readFileSync(
        path.join(taskRoot, "node_modules/@aws-sdk/client-dynamodb/package.json"),
        "utf8",
      ),
    ) as Record<string, unknown>;
    // The specifier is the file's path: no `main`, no `exports` map needed to find it.
    assert.deepEqual(manifest, {
      name: "@aws-sdk/client-dynamodb",
      version: installed.version,
      license: "Apache-2.0",
    });
    assert.ok(
      fs.existsSync(path.join(taskRoot, "node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js")),
    );
    const bundled = JSON.parse(
      fs.readFileSync(path.join(taskRoot, "node_modules/.aws-sdk/package.json"), "utf8"),
    ) as { bundled: Record<string, string> };
    assert.equal(bundled.bundled["@aws-sdk/client-dynamodb"], installed.version);
    assert.ok(bundled.bundled["@smithy/core"], "the SDK's core is in the bundle");
  });

  it("answers a package required by name and an export subpath, from the archive alone", async () => {
    const text = `const s_1 = require("@aws-sdk/client-s3"); s_1.S3Client;
      const c_1 = require("@smithy/core/config"); c_1.loadConfig;`;
    const root = await taskRootOf(await sdkEntries(text, 24, ROOT));
    scratch.push(root);
    const manifest = (name: string) =>
      JSON.parse(fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8"));
    assert.equal(manifest("@aws-sdk/client-s3").main, "./dist-cjs/index.js");
    assert.equal(manifest("@aws-sdk/client-s3").exports, undefined);
    assert.deepEqual(manifest("@smithy/core").exports, {
      "./config": "./dist-cjs/submodules/config/index.js",
    });
    const probe = execFileSync(
      process.execPath,
      [
        "-e",
        `const s = require("@aws-sdk/client-s3"), c = require("@smithy/core/config");
         console.log(JSON.stringify([Object.keys(s), Object.keys(c), Object.keys(require.cache)]));`,
      ],
      { cwd: root, env: { PATH: process.env.PATH }, encoding: "utf8" },
    );
    const [s3, config, loaded] = JSON.parse(probe) as string[][];
    assert.deepEqual(s3, ["S3Client"]);
    assert.deepEqual(config, ["loadConfig"]);
    for (const file of loaded) assert.ok(file.startsWith(fs.realpathSync(root)), file);
    // Only the schemas the handler can reach: none of an operation it never calls
    // (infra/sdkSchemaKeys.ts).
    const bundle = fs.readFileSync(path.join(root, "node_modules/.aws-sdk/index.js"), "utf8");
    assert.match(bundle, /"com\.amazonaws\.s3"/);
    assert.doesNotMatch(bundle, /PutBucketAnalyticsConfiguration/);
  });

  it("requires nothing of the SDK outside itself but the credential providers it leaves out", () => {
    const dir = path.join(taskRoot, "node_modules/.aws-sdk");
    const chunks = fs.readdirSync(dir).filter((file) => file.endsWith(".js"));
    assert.ok(chunks.includes("index.js"));
    const bundle = chunks.map((file) => fs.readFileSync(path.join(dir, file), "utf8")).join("\n");
    const required = new Set(
      [...bundle.matchAll(/require\("([^"]+)"\)/g)]
        .map((m) => m[1])
        .filter((m) => !m.startsWith("node:")),
    );
    const own = [...required].filter((name) => name.startsWith("./"));
    for (const name of own) assert.ok(chunks.includes(name.slice(2)), `${name} is in the archive`);
    const others = [...required].filter((name) => !name.startsWith("./"));
    assert.ok(others.length > 0, "the providers after the environment's are left out");
    for (const name of others) assert.ok(LEFT_TO_THE_RUNTIME.includes(name), name);
    assert.doesNotMatch(bundle, /"(node:)?http2"/, "HTTP/2 is never loaded for an HTTP/1.1 client");
  });

  it("runs on the shipped SDK alone with the execution role's credentials in the environment", async () => {
    const probe = await invoke({ AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" }, "a");
    assert.deepEqual(probe.item, { k: { S: "a" } });
    const real = fs.realpathSync(taskRoot);
    // The runtime's own bootstrap aside (here the emulator's worker).
    const outside = probe.modules.filter(
      (m) => !m.startsWith(real) && !m.endsWith("lambdaWorker.js"),
    );
    assert.deepEqual(outside, [], "every module loaded came from the archive");
    assert.ok(probe.modules.includes(path.join(real, "node_modules/.aws-sdk/index.js")));
    assert.equal(probe.http2, false);
    // What only an `import()` in the SDK reaches (the event-stream codec, the instance metadata
    // provider) stays in chunks this call never loads (infra/sdkBuild.ts).
    const chunks = fs.readdirSync(path.join(real, "node_modules/.aws-sdk"));
    const unloaded = chunks.filter(
      (file) =>
        file.endsWith(".js") &&
        !probe.modules.includes(path.join(real, "node_modules/.aws-sdk", file)),
    );
    assert.ok(unloaded.length >= 2, `chunks left unloaded: ${unloaded.join(", ")}`);
    assert.ok(
      unloaded.some((file) => file.startsWith("event-streams-")),
      unloaded.join(", "),
    );
  });

  it("loads a credential provider it left out from the runtime's copy when a call needs it", async () => {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-bundle-profile-"));
    scratch.push(profile);
    const credentials = path.join(profile, "credentials");
    fs.writeFileSync(
      credentials,
      "[default]\naws_access_key_id = test\naws_secret_access_key = test\n",
    );
    const probe = await invoke(
      {
        AWS_SHARED_CREDENTIALS_FILE: credentials,
        AWS_CONFIG_FILE: path.join(profile, "config"),
      },
      "b",
    );
    assert.deepEqual(probe.item, { k: { S: "b" } });
    const ini = probe.modules.filter((m) => m.includes("credential-provider-ini"));
    assert.ok(ini.length > 0, "the ini provider loaded");
    for (const m of ini) assert.ok(!m.startsWith(fs.realpathSync(taskRoot)), m);
  });
});
