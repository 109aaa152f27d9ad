// A stack's functions as they would be deployed, run here: the recorded code archive extracted
// alone into a task root and run by the Lambda runtime emulator (AWS SDK v3 provided, nothing
// else) with the recorded environment, timeout and memory; and the recorded tables, exactly as
// declared, in a DynamoDB emulator.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { assetMap, extractArchive } from "../../local/lambdaArchive";
import { startFunction } from "../../local/lambdaRuntime";
import { nodeFor } from "../../local/nodeRuntime";
import type { InvokeOutcome, LambdaFunction } from "../../local/lambdaRuntime";
import type { RecordedResource, StackGraph } from "../harness/graph";

/** Where the program ran: archive entries given by path are relative to it. */
export const ROOT = path.join(__dirname, "..", "..");

interface TableInputs {
  name: string;
  hashKey: string;
  rangeKey?: string;
  attributes: { name: string; type: "S" | "N" | "B" }[];
}

/** The stack's function `serverless-notes-<stack>-<what>`; exactly one must exist. */
export function functionOf(graph: StackGraph, what: string): RecordedResource {
  const name = `serverless-notes-${graph.stack}-${what}`;
  const found = graph
    .resources("aws:lambda/function:Function")
    .filter((f) => f.inputs.name === name);
  assert.equal(found.length, 1, `${graph.stack}: one function named ${name}`);
  return found[0];
}

export function variablesOf(resource: RecordedResource): Record<string, string> {
  const environment = resource.inputs.environment as { variables?: Record<string, string> };
  assert.ok(environment?.variables, `${resource.name}: no environment variables`);
  return environment.variables;
}

/** Creates every table the stack declares: name, key schema and attribute types. */
export async function createDeclaredTables(
  client: DynamoDBClient,
  graph: StackGraph,
): Promise<void> {
  for (const table of graph.resources("aws:dynamodb/table:Table")) {
    const { name, hashKey, rangeKey, attributes } = table.inputs as unknown as TableInputs;
    const keys = rangeKey ? [hashKey, rangeKey] : [hashKey];
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: attributes.map((a) => ({
          AttributeName: a.name,
          AttributeType: a.type,
        })),
        KeySchema: keys.map((k, i) => ({ AttributeName: k, KeyType: i ? "RANGE" : "HASH" })),
      }),
    );
  }
}

/** A recorded function running in the runtime emulator, from its own extracted task root. */
export interface Bundled {
  resource: RecordedResource;
  variables: Record<string, string>;
  taskRoot: string;
  fn: LambdaFunction;
  close(): Promise<void>;
}

/** Starts a function as recorded; `aws` adds endpoints, region and credentials. */
export function startBundled(resource: RecordedResource, aws: Record<string, string>): Bundled {
  // Some functions are given no variables at all (the import workflow's check and report).
  const variables = resource.inputs.environment ? variablesOf(resource) : {};
  const taskRoot = extractArchive(assetMap(resource.inputs.code), ROOT);
  const fn = startFunction({
    name: resource.inputs.name as string,
    codeDir: taskRoot,
    handler: resource.inputs.handler as string,
    environment: { ...variables, ...aws },
    timeoutSeconds: resource.inputs.timeout as number,
    memoryMb: resource.inputs.memorySize as number,
    // On the declared runtime's Node.js, as npm start runs it.
    node: nodeFor(resource.inputs.runtime as string),
  });
  return {
    resource,
    variables,
    taskRoot,
    fn,
    close: async () => {
      await fn.close();
      fs.rmSync(taskRoot, { recursive: true, force: true });
    },
  };
}

/** The archive entries that ship an SDK package as the handler requires it (sdkBundle.ts). */
export function sdkEntries(packageName: string): string[] {
  return [
    `node_modules/${packageName}/dist-cjs/index.js`,
    `node_modules/${packageName}/package.json`,
  ];
}

/** The result of an invocation that must have succeeded. */
export function resultOf(outcome: InvokeOutcome, what: string): unknown {
  if (!("result" in outcome)) {
    assert.fail(`${what}: no result: ${JSON.stringify(outcome)}\n${outcome.logs.join("\n")}`);
  }
  return outcome.result;
}
