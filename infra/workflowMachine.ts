// What every workflow here is made of, created inside the workflow's own component: a function
// per step (each with exactly its grants), the Standard state machine whose definition is built
// from those functions' ARNs, its execution log, its role, and an alarm on failed executions.
// The workflows (infra/importWorkflow.ts, infra/exportWorkflow.ts) add what starts them.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { occurrenceAlarm } from "./alarms";
import type { AlarmNotifications } from "./alarms";
import { Function } from "./function";
import type { FunctionArgs, HandlerFactory } from "./function";
import {
  assumableBy,
  childExecutionRunning,
  functionInvoking,
  logDelivery,
  policyDocument,
  workflowTraceWriting,
} from "./iamDocuments";

/** One step's function: what it runs and exactly what it may do. */
export interface WorkflowStep {
  /** The function's resource name, e.g. `importCheck`. */
  name: string;
  /** The function's physical name. */
  functionName: pulumi.Input<string>;
  handlerFactory: HandlerFactory;
  grants: aws.iam.PolicyStatement[];
  modules?: string[];
  environment?: Record<string, pulumi.Input<string>>;
}

export interface WorkflowMachineArgs<Step extends string> {
  /** The state machine's physical name; its log group is `/aws/vendedlogs/states/<name>`. */
  stateMachineName: string;
  /** Each step's function, by the name the definition gives its ARN. */
  steps: Record<Step, WorkflowStep>;
  /** The state machine's definition, built from the steps' function ARNs. */
  definition: (functionArns: Record<Step, string>) => object;
  /**
   * The definition has a distributed Map: the role may also start, describe and stop the child
   * executions of this state machine (and of no other).
   */
  distributedMap?: boolean;
  /** Size, time, logs and alarms of the steps' functions. */
  functionSettings: Pick<
    FunctionArgs,
    "memoryMb" | "timeoutSeconds" | "logRetentionDays" | "tracing" | "errorAlarm"
  >;
  /** Days the state machine's log group keeps execution logs. */
  logRetentionDays: number;
  /** X-Ray tracing of the executions. */
  tracing: boolean;
  /** An alarm on failed executions, described as "Failed <what> of <machine>: <advice>". */
  failedExecutionsAlarm?: { what: string; advice: string; notify: AlarmNotifications };
}

/** Creates the workflow's functions, log, role and state machine as children of `parent`. */
export function workflowMachine<Step extends string>(
  name: string,
  args: WorkflowMachineArgs<Step>,
  parent: pulumi.Resource,
): aws.sfn.StateMachine {
  const keys = Object.keys(args.steps) as Step[];

  // Each step on its own function, role and log group, with exactly its grants. Step
  // Functions invokes them and waits: their retries and failures are the definition's.
  const arns = keys.map(
    (key) =>
      new Function(
        args.steps[key].name,
        {
          functionName: args.steps[key].functionName,
          handlerFactory: args.steps[key].handlerFactory,
          grants: args.steps[key].grants,
          modules: args.steps[key].modules,
          environment: args.steps[key].environment,
          ...args.functionSettings,
        },
        { parent },
      ).arn,
  );

  // The executions' own log; the vendedlogs prefix keeps CloudWatch Logs' resource policy
  // from growing with every log group. Fixed name: a replacement deletes the old one first.
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-executions`,
    {
      name: `/aws/vendedlogs/states/${args.stateMachineName}`,
      retentionInDays: args.logRetentionDays,
    },
    { parent, deleteBeforeReplace: true },
  );

  // The state machine's role: trusted by Step Functions only; it invokes its own functions,
  // delivers its logs, and traces where traced.
  const role = new aws.iam.Role(
    name,
    { assumeRolePolicy: assumableBy("states.amazonaws.com") },
    { parent },
  );
  const rolePolicy = new aws.iam.RolePolicy(
    name,
    {
      role: role.id,
      policy: policyDocument(
        functionInvoking(arns),
        logDelivery(),
        ...(args.tracing ? [workflowTraceWriting()] : []),
      ),
    },
    { parent },
  );

  // The workflow, its definition built from data with the functions' ARNs in. Step Functions
  // checks the role when it is saved: the policy first. Fixed name: delete before replace.
  const stateMachine = new aws.sfn.StateMachine(
    name,
    {
      name: args.stateMachineName,
      type: "STANDARD",
      roleArn: role.arn,
      definition: pulumi.all(arns).apply((resolved) => {
        const byStep = Object.fromEntries(keys.map((key, i) => [key, resolved[i]]));
        return JSON.stringify(args.definition(byStep as Record<Step, string>));
      }),
      loggingConfiguration: {
        logDestination: pulumi.interpolate`${logGroup.arn}:*`,
        includeExecutionData: true,
        level: "ALL",
      },
      tracingConfiguration: { enabled: args.tracing },
    },
    { parent, dependsOn: [rolePolicy], deleteBeforeReplace: true },
  );

  if (args.distributedMap) {
    // A distributed Map starts its children as executions of this same state machine, so the
    // grant names the machine's own ARN: it can only follow the machine, never precede it. Only
    // the Map needs it, at run time; nothing runs before the update that made both is done.
    new aws.iam.RolePolicy(
      `${name}-child-executions`,
      { role: role.id, policy: policyDocument(...childExecutionRunning(stateMachine.arn)) },
      { parent },
    );
  }

  if (args.failedExecutionsAlarm) {
    const { what, advice, notify } = args.failedExecutionsAlarm;
    occurrenceAlarm(
      `${name}-failed-executions`,
      {
        description: pulumi.interpolate`Failed ${what} of ${stateMachine.name}: ${advice}`,
        namespace: "AWS/States",
        metricName: "ExecutionsFailed",
        dimensions: { StateMachineArn: stateMachine.arn },
        notify,
      },
      { parent },
    );
  }
  return stateMachine;
}
