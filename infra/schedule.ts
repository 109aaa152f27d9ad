import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { statementId } from "./statementId";

export interface ScheduleArgs {
  /** The rule's name, unique in the account and region. */
  ruleName: string;
  /** An EventBridge schedule expression: `rate(1 day)`, `cron(0 3 * * ? *)`. */
  scheduleExpression: string;
  function: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  description: string;
}

/** Runs a function on a schedule: an EventBridge rule, its target, and the rule's permission. */
export class Schedule extends pulumi.ComponentResource {
  readonly ruleArn: pulumi.Output<string>;

  constructor(name: string, args: ScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-notes:schedule:Schedule", name, {}, opts);

    // When the function runs. Its name is fixed, so a replacement must delete the old rule first.
    const rule = new aws.cloudwatch.EventRule(
      name,
      {
        name: args.ruleName,
        scheduleExpression: args.scheduleExpression,
        description: args.description,
      },
      { parent: this, deleteBeforeReplace: true },
    );

    // EventBridge may invoke the function for this rule only. The statement id is fixed per
    // function, so a replacement must remove the old statement first.
    const permission = new aws.lambda.Permission(
      name,
      {
        statementId: statementId("EventBridge", args.ruleName),
        action: "lambda:InvokeFunction",
        function: args.function.name,
        principal: "events.amazonaws.com",
        sourceArn: rule.arn,
      },
      { parent: this, deleteBeforeReplace: true },
    );

    // What runs then: the function, once the rule may invoke it.
    new aws.cloudwatch.EventTarget(
      name,
      { rule: rule.name, arn: args.function.arn },
      { parent: this, dependsOn: [permission] },
    );

    this.ruleArn = rule.arn;
    this.registerOutputs({ ruleArn: this.ruleArn });
  }
}
