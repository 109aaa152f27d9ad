import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import packageJson from "../package.json";
import { occurrenceAlarm } from "./alarms";
import type { AlarmNotifications } from "./alarms";
import { moduleFiles } from "./archiveModules";
import { shipSdk } from "./sdkBundle";
import { assumableBy, logWriting, policyDocument, traceWriting } from "./iamDocuments";

/** A handler factory: run once per container, it returns the handler for every invocation. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HandlerFactory = () => (event: any, context: any) => Promise<unknown>;

export interface FunctionArgs {
  /** The function's physical name; its log group is `/aws/lambda/<functionName>`. */
  functionName: pulumi.Input<string>;
  /** Serialised with its closure into the archive's `__index.js`. */
  handlerFactory: HandlerFactory;
  /** What this function may do beyond writing its own logs (and traces when tracing). */
  grants: aws.iam.PolicyStatement[];
  environment?: Record<string, pulumi.Input<string>>;
  /**
   * Modules the handler requires that the runtime lacks, e.g. `csv-parse/sync`: each ships as
   * the one file it resolves to, with its package.json (see `moduleFiles`). Default none.
   */
  modules?: string[];
  /** Default 128. */
  memoryMb?: number;
  /** Default 10. */
  timeoutSeconds?: number;
  /** Default 14. */
  logRetentionDays?: number;
  /** Default false: X-Ray active tracing. */
  tracing?: boolean;
  /** Where set, a CloudWatch alarm on any error in a five-minute period, notifying there. */
  errorAlarm?: AlarmNotifications;
}

// No dependency ships as a whole folder: the archive holds the serialised handler, the AWS SDK it
// requires as one bundle (shipSdk), and the single files of the modules a function asks for.
// Pulumi's code paths walk the optional dependencies too (the local runtime's Node.js binaries):
// never shipped either.
const NOT_SHIPPED = [
  ...Object.keys(packageJson.dependencies),
  ...Object.keys(packageJson.optionalDependencies),
];

/** One Lambda function with its own role, its own log group and nothing else. */
export class Function extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly invokeArn: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: FunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-notes:function:Function", name, {}, opts);
    const tracing = args.tracing ?? false;

    // Created here rather than by Lambda on first write, so it has a retention and Pulumi owns it.
    // Its name follows the function's, so a replacement must delete the old group first.
    const logGroup = new aws.cloudwatch.LogGroup(
      name,
      {
        name: pulumi.interpolate`/aws/lambda/${args.functionName}`,
        retentionInDays: args.logRetentionDays ?? 14,
      },
      { parent: this, deleteBeforeReplace: true },
    );

    // The execution role: trusted by Lambda only, never the FullAccess default of CallbackFunction.
    // Auto-named: nothing needs its name, so a replacement never collides with the old role.
    const role = new aws.iam.Role(
      name,
      { assumeRolePolicy: assumableBy("lambda.amazonaws.com") },
      { parent: this },
    );

    // Exactly the function's grants, its own log group, X-Ray where traced.
    const rolePolicy = new aws.iam.RolePolicy(
      name,
      {
        role: role.id,
        policy: policyDocument(
          ...args.grants,
          logWriting(logGroup.arn),
          ...(tracing ? [traceWriting()] : []),
        ),
      },
      { parent: this },
    );

    // The handler, serialised with what it captures: `__index.js`, the SDK it was tested with, and
    // the files of its modules. Its name is fixed (the stack's physical name), so a replacement
    // must delete the old one first.
    const fn = new aws.lambda.CallbackFunction(
      name,
      {
        name: args.functionName,
        callbackFactory: args.handlerFactory,
        role,
        runtime: aws.lambda.Runtime.NodeJS24dX,
        architectures: ["arm64"],
        memorySize: args.memoryMb ?? 128,
        timeout: args.timeoutSeconds ?? 10,
        environment: args.environment ? { variables: args.environment } : undefined,
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        tracingConfig: { mode: tracing ? "Active" : "PassThrough" },
        codePathOptions: {
          extraExcludePackages: [...NOT_SHIPPED],
          extraIncludePaths: moduleFiles(args.modules ?? []),
        },
      },
      {
        parent: this,
        dependsOn: [logGroup, rolePolicy],
        deleteBeforeReplace: true,
        transformations: [shipSdk],
      },
    );

    if (args.errorAlarm) {
      // Any error in five minutes is worth a look.
      occurrenceAlarm(
        `${name}-errors`,
        {
          description: pulumi.interpolate`Errors in Lambda function ${fn.name}`,
          namespace: "AWS/Lambda",
          metricName: "Errors",
          dimensions: { FunctionName: fn.name },
          notify: args.errorAlarm,
        },
        { parent: this },
      );
    }

    this.name = fn.name;
    this.arn = fn.arn;
    this.invokeArn = fn.invokeArn;
    this.roleArn = role.arn;
    this.registerOutputs({ name: this.name, arn: this.arn, roleArn: this.roleArn });
  }
}
