// The local engine: runs the Pulumi program (`stacks/index.ts`) the way `pulumi up` would, but
// against runtime mocks that answer like AWS, with a stack's real `Pulumi.<stack>.yaml`, and
// writes what the program declared as JSON: every resource (type, name, parent, provider,
// options, inputs, the mocks' answer) and every stack output.
// Usage: record.ts --stack dev --out graph.json [--set key=value]... [--unset key]...
//          [--api-base http://127.0.0.1:3001] [--site-host 127.0.0.1:3000]
// With --api-base and --site-host, the stage's invoke URL and the website endpoint are those
// local addresses, so the program itself writes config.js and CORS origins for a local run.
// One process per run: Pulumi's runtime state is global to a process.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { RecordedResource, RecordedStack } from "./recordStack";
import { loadStackConfig } from "./stackConfig";

export const ACCOUNT_ID = "123456789012";

function arg(flag: string): string[] {
  const values: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === flag && process.argv[i + 1] !== undefined) values.push(process.argv[i + 1]);
  });
  return values;
}

const stack = arg("--stack")[0];
const out = arg("--out")[0];
const config = loadStackConfig(stack);
for (const pair of arg("--set")) {
  const eq = pair.indexOf("=");
  config[pair.slice(0, eq)] = pair.slice(eq + 1);
}
for (const key of arg("--unset")) delete config[key];
const region = config["aws:region"] ?? "ap-northeast-2";
const apiBase = arg("--api-base")[0];
const siteHost = arg("--site-host")[0];

/** Stable fake ids, so recorded graphs can be compared across runs. */
function fakeId(seed: string, length = 10): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** What AWS would answer for each resource type: realistic ids, ARNs and generated names. */
function mockState(type: string, name: string, inputs: Record<string, unknown>) {
  const generated = `${name.replace(/[^A-Za-z0-9-]/g, "-")}-${fakeId(type + name, 7)}`;
  const physical = (inputs.name as string | undefined) ?? generated;
  const base = { ...inputs };
  switch (type) {
    case "aws:dynamodb/table:Table":
      return {
        id: physical,
        state: {
          ...base,
          name: physical,
          arn: `arn:aws:dynamodb:${region}:${ACCOUNT_ID}:table/${physical}`,
        },
      };
    case "aws:iam/role:Role":
      return {
        id: physical,
        state: { ...base, name: physical, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${physical}` },
      };
    case "aws:iam/policy:Policy":
      return {
        id: `arn:aws:iam::${ACCOUNT_ID}:policy/${physical}`,
        state: { ...base, name: physical, arn: `arn:aws:iam::${ACCOUNT_ID}:policy/${physical}` },
      };
    case "aws:iam/instanceProfile:InstanceProfile":
      return {
        id: physical,
        state: {
          ...base,
          name: physical,
          arn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/${physical}`,
        },
      };
    case "aws:cloudwatch/logGroup:LogGroup":
      return {
        id: physical,
        state: {
          ...base,
          name: physical,
          arn: `arn:aws:logs:${region}:${ACCOUNT_ID}:log-group:${physical}`,
        },
      };
    case "aws:lambda/function:Function": {
      const arn = `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${physical}`;
      return {
        id: physical,
        state: {
          ...base,
          name: physical,
          arn,
          qualifiedArn: `${arn}:$LATEST`,
          invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
        },
      };
    }
    case "aws:s3/bucket:Bucket": {
      const bucket =
        (inputs.bucket as string | undefined) ??
        `${(inputs.bucketPrefix as string | undefined) ?? `${name}-`}${fakeId(name, 12)}`;
      return {
        id: bucket,
        state: {
          ...base,
          bucket,
          arn: `arn:aws:s3:::${bucket}`,
          bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
        },
      };
    }
    case "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration":
      return {
        id: String(inputs.bucket),
        state: {
          ...base,
          websiteDomain: `s3-website.${region}.amazonaws.com`,
          websiteEndpoint:
            siteHost ?? `${String(inputs.bucket)}.s3-website.${region}.amazonaws.com`,
        },
      };
    case "aws:cloudwatch/eventRule:EventRule":
      return {
        id: physical,
        state: {
          ...base,
          name: physical,
          arn: `arn:aws:events:${region}:${ACCOUNT_ID}:rule/${physical}`,
        },
      };
    case "aws:apigateway/restApi:RestApi": {
      const id = fakeId(name);
      return {
        id,
        state: {
          ...base,
          rootResourceId: fakeId(`${name}/`, 10),
          executionArn: `arn:aws:execute-api:${region}:${ACCOUNT_ID}:${id}`,
          arn: `arn:aws:apigateway:${region}::/restapis/${id}`,
        },
      };
    }
    case "aws:apigateway/stage:Stage": {
      const api = String(inputs.restApi);
      const stageName = String(inputs.stageName);
      return {
        id: `ags-${api}-${stageName}`,
        state: {
          ...base,
          invokeUrl: apiBase
            ? `${apiBase}/${stageName}`
            : `https://${api}.execute-api.${region}.amazonaws.com/${stageName}`,
          executionArn: `arn:aws:execute-api:${region}:${ACCOUNT_ID}:${api}/${stageName}`,
          arn: `arn:aws:apigateway:${region}::/restapis/${api}/stages/${stageName}`,
        },
      };
    }
    default:
      return {
        id: fakeId(type + name),
        state: {
          ...base,
          arn: `arn:aws:${type.split(":")[1]?.split("/")[0] ?? "x"}:${region}:${ACCOUNT_ID}:${generated}`,
        },
      };
  }
}

/** Assets and archives become plain JSON: `{ $asset: {text|path} }`, `{ $archive: {...} }`. */
async function plain(value: unknown): Promise<unknown> {
  if (value instanceof pulumi.asset.StringAsset) return { $asset: { text: await value.text } };
  if (value instanceof pulumi.asset.FileAsset) return { $asset: { path: await value.path } };
  if (value instanceof pulumi.asset.FileArchive) return { $archive: { path: await value.path } };
  if (value instanceof pulumi.asset.AssetArchive) {
    const assets = (await value.assets) as Record<string, unknown>;
    const entries = await Promise.all(
      Object.entries(assets).map(async ([k, v]) => [k, await plain(v)] as const),
    );
    return { $archive: { assets: Object.fromEntries(entries) } };
  }
  if (Array.isArray(value)) return Promise.all(value.map(plain));
  if (value && typeof value === "object") {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await plain(v)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

const declared = new Map<pulumi.Resource, { type: string; name: string }>();
const options = new Map<string, { parent?: string; protect: boolean; dependsOn: string[] }>();
const registered = new Map<string, Omit<RecordedResource, "parent" | "protect" | "dependsOn">>();
const pending: Promise<void>[] = [];
const key = (type: string, name: string) => `${type}::${name}`;
const keyOf = (r: pulumi.Resource | undefined) => {
  const d = r && declared.get(r);
  return d && key(d.type, d.name);
};

// Pulumi captures a stack trace for every resource, and ts-node's source-map support maps each
// one back to TypeScript: a second of the run for positions nobody reads here. Plain V8 frames.
Error.prepareStackTrace = (error, frames) =>
  `${String(error)}${frames.map((frame) => `\n    at ${String(frame)}`).join("")}`;

// Each CallbackFunction walks the whole node_modules tree to find its packages; the tree cannot
// change during one run, so the engine walks it once.
const load = createRequire(__filename);
const { Arborist } = load(
  load.resolve("@npmcli/arborist", { paths: [load.resolve("@pulumi/pulumi")] }),
) as { Arborist: ArboristClass };
const loadActual = Arborist.prototype.loadActual;
const trees = new Map<string, Promise<unknown>>();
Arborist.prototype.loadActual = function (this: { path: string }, ...args: unknown[]) {
  if (!trees.has(this.path)) trees.set(this.path, loadActual.apply(this, args));
  return trees.get(this.path)!;
};

interface ArboristClass {
  prototype: { loadActual: (...args: unknown[]) => Promise<unknown> };
}

pulumi.runtime.setMocks(
  {
    newResource(args) {
      const k = key(args.type, args.name);
      if (registered.has(k)) throw new Error(`two resources are named ${k}`);
      const { id, state } = mockState(args.type, args.name, args.inputs);
      pending.push(
        (async () => {
          registered.set(k, {
            type: args.type,
            name: args.name,
            custom: args.custom ?? true,
            id: args.custom === false ? undefined : id,
            provider: args.provider || undefined,
            inputs: (await plain(args.inputs)) as Record<string, unknown>,
            state: (await plain(state)) as Record<string, unknown>,
          });
        })(),
      );
      return { id: args.custom === false ? undefined : id, state };
    },
    call(args) {
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return {
            accountId: ACCOUNT_ID,
            arn: `arn:aws:iam::${ACCOUNT_ID}:user/deployer`,
            userId: "AIDAEXAMPLE",
            id: ACCOUNT_ID,
          };
        case "aws:index/getRegion:getRegion":
          return { name: region, region, id: region };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        default:
          throw new Error(`no mock for the call ${args.token}`);
      }
    },
  },
  "serverless-notes",
  stack,
  false,
);
pulumi.runtime.setAllConfig(config);

async function resolve(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    return resolve(await new Promise((r) => (value as pulumi.Output<unknown>).apply(r)));
  }
  return plain(value);
}

async function main(): Promise<RecordedStack> {
  const programOutputs = await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((t) => {
      declared.set(t.resource, { type: t.type, name: t.name });
      const dependsOn = ([] as pulumi.Resource[]).concat(
        (t.opts.dependsOn as pulumi.Resource | pulumi.Resource[] | undefined) ?? [],
      );
      options.set(key(t.type, t.name), {
        parent: keyOf(t.opts.parent),
        protect: t.opts.protect === true,
        dependsOn: dependsOn.map((d) => keyOf(d) ?? "?"),
      });
      return undefined;
    });
    return import(path.join(__dirname, "..", "stacks"));
  });
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(programOutputs ?? {})) {
    if (value !== undefined) outputs[name] = await resolve(value);
  }
  // Every registration has reached the mocks once the runtime has no RPC left in flight.
  await pulumi.runtime.disconnect();
  await Promise.all(pending);
  const resources = [...registered.entries()].map(([k, r]) => ({
    ...r,
    parent: options.get(k)?.parent,
    protect: options.get(k)?.protect ?? false,
    dependsOn: options.get(k)?.dependsOn ?? [],
  }));
  return { stack, config, resources, outputs };
}

main().then(
  (recorded) => {
    fs.writeFileSync(out, JSON.stringify(recorded));
    process.exit(0);
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    fs.writeFileSync(
      out,
      JSON.stringify({ stack, config, resources: [], outputs: {}, error: message }),
    );
    process.exit(1);
  },
);
