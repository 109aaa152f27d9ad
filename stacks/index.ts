// The program's entry point (`main: stacks/` in Pulumi.yaml): the stack name picks the
// environment, and the environment's outputs become the stack outputs.
import * as pulumi from "@pulumi/pulumi";
import { StackOutputs } from "./build";
import { dev } from "./dev";
import { prod } from "./prod";

const environments: Record<string, () => StackOutputs> = { dev, prod };

const stack = pulumi.getStack();
const build = environments[stack];
if (!build) {
  throw new Error(
    `Unknown stack "${stack}": the known environments are ${Object.keys(environments).join(", ")}`,
  );
}
const outputs = build();

export const siteUrl = outputs.siteUrl;
export const apiUrl = outputs.apiUrl;
export const notesTableName = outputs.notesTableName;
export const membersTableName = outputs.membersTableName;
export const applicationRoleArn = outputs.applicationRoleArn;
export const deleteBucketPolicyArn = outputs.deleteBucketPolicyArn;
export const notesBucketName = outputs.notesBucketName;
export const importStateMachineArn = outputs.importStateMachineArn;
export const exportStateMachineArn = outputs.exportStateMachineArn;
export const userPoolId = outputs.userPoolId;
export const userPoolClientId = outputs.userPoolClientId;
export const alarmTopicArn = outputs.alarmTopicArn;
