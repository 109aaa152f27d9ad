// The archive a plain `aws.lambda.CallbackFunction` builds with its DEFAULT options (no
// codePathOptions), for comparison with the program's functions: one function per route and per
// workflow step under Pulumi runtime mocks, each archive's asset map written as JSON.
// Usage: defaultArchive.ts --out archives.json (run from the project root: Pulumi computes the
// dependency folders relative to the working directory). One process per run, as Pulumi's
// runtime state is global to a process.
import * as fs from "node:fs";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { exportSteps, importSteps, routes } from "../app/routes";
import type { HandlerFactory } from "../infra/function";
import type { ArchiveEntry } from "../local/lambdaArchive";

const out = process.argv[process.argv.indexOf("--out") + 1];
const functions: { name: string; handler: HandlerFactory }[] = [
  ...routes,
  ...Object.values(importSteps),
  ...Object.values(exportSteps),
];
const archives: Record<string, Promise<Record<string, ArchiveEntry>>> = {};

async function entry(value: unknown): Promise<ArchiveEntry> {
  if (value instanceof pulumi.asset.StringAsset) return { $asset: { text: await value.text } };
  if (value instanceof pulumi.asset.FileAsset) return { $asset: { path: await value.path } };
  if (value instanceof pulumi.asset.FileArchive) return { $archive: { path: await value.path } };
  throw new Error(`unexpected archive entry ${String(value)}`);
}

async function assetMap(code: pulumi.asset.AssetArchive): Promise<Record<string, ArchiveEntry>> {
  const assets = (await code.assets) as Record<string, unknown>;
  const entries = await Promise.all(
    Object.entries(assets).map(async ([path, value]) => [path, await entry(value)] as const),
  );
  return Object.fromEntries(entries);
}

pulumi.runtime.setMocks(
  {
    newResource(args) {
      if (args.type === "aws:lambda/function:Function") {
        archives[args.name] = assetMap(args.inputs.code as pulumi.asset.AssetArchive);
      }
      return { id: `${args.name}-id`, state: { ...args.inputs, arn: `arn:aws:x:::${args.name}` } };
    },
    call: (args) => args.inputs,
  },
  "serverless-notes-bench",
  "bench",
  false,
);

async function main(): Promise<void> {
  await pulumi.runtime.runInPulumiStack(async () => {
    for (const fn of functions) {
      new aws.lambda.CallbackFunction(fn.name, {
        callbackFactory: fn.handler,
        role: "arn:aws:iam::123456789012:role/x",
        runtime: aws.lambda.Runtime.NodeJS22dX,
      });
    }
    return {};
  });
  await pulumi.runtime.disconnect();
  const names = functions.map((f) => f.name);
  const maps = await Promise.all(names.map((name) => archives[name]));
  fs.writeFileSync(out, JSON.stringify(Object.fromEntries(names.map((n, i) => [n, maps[i]]))));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
