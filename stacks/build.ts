// The one composition every environment shares: it only wires components together with the
// values the environment chose. Whatever differs comes from `Pulumi.<env>.yaml`.
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CSV_SUFFIX, IMPORTS_PREFIX, ON_DEMAND_EXPORTS_PREFIX } from "../app/bucketLayout";
import { exportWorkflowDefinition } from "../app/exportWorkflowDefinition";
import { importWorkflowDefinition } from "../app/importWorkflowDefinition";
import { exportSteps, importSteps, routes, tables, StepSpec, TableKey } from "../app/routes";
import { AlarmTopic } from "../infra/alarmTopic";
import { Api } from "../infra/api";
import { ApplicationRole } from "../infra/applicationRole";
import { Cdn } from "../infra/cdn";
import { EnvironmentConfig, PROJECT } from "../infra/config";
import { ExportWorkflow } from "../infra/exportWorkflow";
import { Function } from "../infra/function";
import { ImportWorkflow } from "../infra/importWorkflow";
import { objectAccess, tableAccess } from "../infra/iamDocuments";
import { NotesBucket } from "../infra/notesBucket";
import { PrivateBucket } from "../infra/privateBucket";
import { originOf } from "../infra/securityHeaders";
import { SiteBucket } from "../infra/siteBucket";
import { cognitoEndpoint } from "../infra/siteConfig";
import { Table } from "../infra/table";
import { UserPool } from "../infra/userPool";

export interface StackOutputs {
  siteUrl: pulumi.Output<string>;
  apiUrl: pulumi.Output<string>;
  notesTableName: pulumi.Output<string>;
  membersTableName: pulumi.Output<string>;
  applicationRoleArn: pulumi.Output<string>;
  deleteBucketPolicyArn: pulumi.Output<string>;
  notesBucketName: pulumi.Output<string>;
  importStateMachineArn: pulumi.Output<string>;
  exportStateMachineArn: pulumi.Output<string>;
  userPoolId: pulumi.Output<string>;
  userPoolClientId: pulumi.Output<string>;
  alarmTopicArn: pulumi.Output<string>;
}

export const SITE_DIR = path.join(__dirname, "..", "site");

/** `serverless-notes-dev-<what>`: the one place physical names are derived. */
export function physicalName(environment: string, what: string): string {
  return `${PROJECT}-${environment}-${what}`;
}

/** Each step of a workflow made into what the workflow's component takes. */
function mapSteps<K extends string, T>(
  steps: Record<K, StepSpec>,
  make: (step: StepSpec) => T,
): Record<K, T> {
  const keys = Object.keys(steps) as K[];
  return Object.fromEntries(keys.map((key) => [key, make(steps[key])])) as Record<K, T>;
}

export function buildEnvironment(environment: string, config: EnvironmentConfig): StackOutputs {
  // Every resource goes through this provider: one region, and the same tags on everything.
  const defaultTags = { tags: { Project: PROJECT, Environment: environment, ManagedBy: "pulumi" } };
  const provider = new aws.Provider("aws", { region: config.region as aws.Region, defaultTags });
  const opts = { provider };

  // Every alarm of the stack tells this topic; someone subscribes to it.
  const alarmTopic = new AlarmTopic(
    "alarms",
    { topicName: physicalName(environment, "alarms"), email: config.alarmEmail },
    opts,
  );
  const alarms = config.alarms ? alarmTopic.notifications : undefined;

  const tableResources = Object.fromEntries(
    (Object.keys(tables) as TableKey[]).map((key) => {
      const spec = tables[key];
      return [
        key,
        new Table(
          spec.name,
          {
            tableName: physicalName(environment, spec.name),
            partitionKey: spec.partitionKey,
            sortKey: "sortKey" in spec ? spec.sortKey : undefined,
            billingMode: config.billingMode,
            provisionedCapacity: config.provisionedCapacity,
            pointInTimeRecovery: config.pointInTimeRecovery,
            deletionProtection: config.deletionProtection,
            protect: config.protectTables,
          },
          opts,
        ),
      ];
    }),
  ) as Record<TableKey, Table>;

  // The people who may sign in, and the website's client that signs them in.
  const userPool = new UserPool(
    "users",
    {
      poolName: physicalName(environment, "users"),
      clientName: physicalName(environment, "site"),
      deletionProtection: config.userPool.deletionProtection,
      protect: config.userPool.protect,
      refreshTokenValidityDays: config.userPool.refreshTokenValidityDays,
    },
    opts,
  );

  // The page learns the API's URL from config.js, and the API allows the page's origin: the
  // deferred API breaks that cycle without waiting for either value. The site's security
  // headers name the API's origin, which is known once the REST API exists, before its stage.
  let apiIs!: (api: Api) => void;
  const apiCreated = new Promise<Api>((resolve) => (apiIs = resolve));
  const apiUrl = pulumi.output(apiCreated.then((created) => created.url)).apply((url) => url);
  const apiOrigin = pulumi.output(apiCreated.then((created) => created.origin)).apply((o) => o);
  const runtimeConfig = pulumi
    .all([apiUrl, userPool.userPoolId, userPool.clientId])
    .apply(([url, userPoolId, clientId]) => ({
      apiUrl: url,
      auth: {
        region: config.region,
        userPoolId,
        clientId,
        endpoint: cognitoEndpoint(config.region),
      },
    }));
  const site =
    config.siteHosting === "cloudfront"
      ? new Cdn(
          "site",
          {
            siteDir: SITE_DIR,
            runtimeConfig,
            bucketPrefix: `${physicalName(environment, "site")}-`,
            namePrefix: physicalName(environment, "site"),
            connectOrigins: [apiOrigin, originOf(cognitoEndpoint(config.region))],
            domain: config.siteDomain && {
              name: config.siteDomain.name,
              zoneName: config.siteDomain.zone,
              // CloudFront takes its certificates from us-east-1 only.
              certificateProvider: new aws.Provider("aws-us-east-1", {
                region: "us-east-1",
                defaultTags,
              }),
            },
          },
          opts,
        )
      : new SiteBucket(
          "site",
          {
            siteDir: SITE_DIR,
            bucketPrefix: `${physicalName(environment, "site")}-`,
            runtimeConfig,
          },
          opts,
        );
  const corsOrigin: pulumi.Input<string> =
    config.corsOrigin === "site" ? site.url : config.corsOrigin;

  // What every function of the environment shares.
  const functionSettings = {
    memoryMb: config.lambdaMemoryMb,
    timeoutSeconds: config.lambdaTimeoutSeconds,
    logRetentionDays: config.logRetentionDays,
    tracing: config.tracing,
    errorAlarm: alarms,
  };

  // The course's CSV lab: uploads, their conversions and the exports, private to the account.
  const notesBucket = new NotesBucket(
    "notes",
    {
      bucketPrefix: `${physicalName(environment, "notes")}-`,
      versioning: config.notesBucketVersioning,
      noncurrentVersionDays: config.notesBucketNoncurrentVersionDays,
      accessLogDays: config.notesBucketAccessLogDays,
      // An export too large to answer is fetched within minutes of being written (its URL's
      // life): a day later it is only a copy of someone's notes nobody asked to keep.
      expiring: [{ prefix: ON_DEMAND_EXPORTS_PREFIX, days: 1 }],
    },
    opts,
  );
  const functions = routes.map((route) => {
    const table = tableResources[route.table];
    const objects = route.objects ?? [];
    return {
      route,
      fn: new Function(
        route.name,
        {
          functionName: physicalName(environment, route.name),
          handlerFactory: route.handler,
          grants: [
            tableAccess(table.arn, route.actions),
            ...objects.map((o) => objectAccess(notesBucket.arn, o.prefix, o.actions)),
          ],
          environment: {
            TABLE_NAME: table.name,
            CORS_ORIGIN: corsOrigin,
            ...(objects.length > 0 ? { BUCKET_NAME: notesBucket.bucketName } : {}),
          },
          ...functionSettings,
          memoryMb: Math.max(functionSettings.memoryMb, route.minMemoryMb ?? 0),
        },
        opts,
      ),
    };
  });

  const api = new Api(
    "api",
    {
      apiName: physicalName(environment, "api"),
      stageName: environment,
      routes: functions.map(({ route, fn }) => ({
        method: route.method,
        path: route.path,
        function: fn,
        authorizer:
          route.access === "owner"
            ? { name: "users", userPoolArns: [userPool.userPoolArn] }
            : undefined,
      })),
      corsOrigin,
      throttle: config.throttle,
      accessLogRetentionDays: config.apiAccessLogs ? config.logRetentionDays : undefined,
      tracing: config.tracing,
      serverErrorAlarm: alarms,
    },
    opts,
  );
  apiIs(api);

  const account = aws.getCallerIdentityOutput({}, { provider });

  /** A workflow step's function: exactly its table's and its objects' actions. */
  const workflowStep = (step: StepSpec, variables: Record<string, pulumi.Input<string>> = {}) => {
    const table = step.table && tableResources[step.table.key];
    return {
      name: step.name,
      functionName: physicalName(environment, step.name),
      handlerFactory: step.handler,
      grants: [
        ...(table && step.table ? [tableAccess(table.arn, step.table.actions)] : []),
        ...step.objects.map((o) => objectAccess(notesBucket.arn, o.prefix, o.actions)),
      ],
      modules: step.modules,
      environment:
        table || Object.keys(variables).length > 0
          ? { ...(table ? { TABLE_NAME: table.name } : {}), ...variables }
          : undefined,
    };
  };
  // No caller waits on a workflow's steps: they get the event functions' size and time.
  const stepSettings = {
    ...functionSettings,
    memoryMb: config.eventFunction.memoryMb,
    timeoutSeconds: config.eventFunction.timeoutSeconds,
  };
  // EventBridge's retries of an event that could not start a workflow.
  const delivery = {
    maximumRetryAttempts: config.eventFunction.maximumRetryAttempts,
    maximumEventAgeSeconds: config.eventFunction.maximumEventAgeSeconds,
  };
  // The function's own timeout ends a step first; this only bounds a lost invocation.
  const taskTimeoutSeconds = config.eventFunction.timeoutSeconds + 30;

  // Each CSV uploaded under imports/ (.csv in any case) starts the import workflow: checked,
  // split, loaded in parts, and always reported (infra/importWorkflow.ts).
  const importWorkflow = new ImportWorkflow(
    "importNotes",
    {
      stateMachineName: physicalName(environment, "importNotes"),
      ruleName: physicalName(environment, "importNotes"),
      bucket: notesBucket,
      prefix: IMPORTS_PREFIX,
      suffix: CSV_SUFFIX,
      steps: mapSteps(importSteps, (step) => workflowStep(step)),
      definition: (functions) =>
        importWorkflowDefinition({
          functions,
          maxConcurrency: config.importMaxConcurrency,
          taskTimeoutSeconds,
        }),
      functionSettings: stepSettings,
      logRetentionDays: config.logRetentionDays,
      tracing: config.tracing,
      alarms,
      delivery,
    },
    opts,
  );

  // Every user's notes into the bucket, segment by segment, on the environment's schedule (no
  // rule where it is off: the workflow is then started by hand) (infra/exportWorkflow.ts).
  const exportWorkflow = new ExportWorkflow(
    "scheduledExport",
    {
      stateMachineName: physicalName(environment, "scheduledExport"),
      ruleName: physicalName(environment, "scheduledExport"),
      schedule: config.exportSchedule,
      steps: mapSteps(exportSteps, (step) =>
        workflowStep(step, { BUCKET_NAME: notesBucket.bucketName }),
      ),
      definition: (functions) =>
        exportWorkflowDefinition({
          functions,
          segments: config.exportSegments,
          taskTimeoutSeconds,
        }),
      functionSettings: stepSettings,
      logRetentionDays: config.logRetentionDays,
      tracing: config.tracing,
      alarms,
      delivery,
    },
    opts,
  );

  // The course's scratch bucket: bucket names are global, so the account id keeps it unique.
  const labBucketName = pulumi.interpolate`${physicalName(environment, "deleteme")}-${account.accountId}`;
  const labBucket = config.labBucket
    ? new PrivateBucket("lab-deleteme", { bucketName: labBucketName, forceDestroy: true }, opts)
    : undefined;

  const applicationRole = new ApplicationRole(
    "notes-application-role",
    {
      roleName: physicalName(environment, "notes-application-role"),
      deleteBucketPolicyName: physicalName(environment, "S3-Delete-Bucket-Policy"),
      deletableBucketArn: labBucket?.arn ?? pulumi.interpolate`arn:aws:s3:::${labBucketName}`,
    },
    opts,
  );

  return {
    siteUrl: site.url,
    apiUrl: api.url,
    notesTableName: tableResources.notes.name,
    membersTableName: tableResources.members.name,
    applicationRoleArn: applicationRole.roleArn,
    deleteBucketPolicyArn: applicationRole.deleteBucketPolicyArn,
    notesBucketName: notesBucket.bucketName,
    importStateMachineArn: importWorkflow.stateMachineArn,
    exportStateMachineArn: exportWorkflow.stateMachineArn,
    userPoolId: userPool.userPoolId,
    userPoolClientId: userPool.clientId,
    alarmTopicArn: alarmTopic.topicArn,
  };
}
