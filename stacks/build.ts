// The one composition every environment shares: it only wires components together with the
// values the environment chose. Whatever differs comes from `Pulumi.<env>.yaml`.
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { routes, tables, TableKey } from "../app/routes";
import { Api } from "../infra/api";
import { ApplicationRole } from "../infra/applicationRole";
import { EnvironmentConfig, PROJECT } from "../infra/config";
import { Function } from "../infra/function";
import { tableAccess } from "../infra/iamDocuments";
import { PrivateBucket } from "../infra/privateBucket";
import { SiteBucket } from "../infra/siteBucket";
import { Table } from "../infra/table";

export interface StackOutputs {
  siteUrl: pulumi.Output<string>;
  apiUrl: pulumi.Output<string>;
  notesTableName: pulumi.Output<string>;
  membersTableName: pulumi.Output<string>;
  applicationRoleArn: pulumi.Output<string>;
  deleteBucketPolicyArn: pulumi.Output<string>;
}

export const SITE_DIR = path.join(__dirname, "..", "site");

/** `serverless-notes-dev-<what>`: the one place physical names are derived. */
export function physicalName(environment: string, what: string): string {
  return `${PROJECT}-${environment}-${what}`;
}

export function buildEnvironment(environment: string, config: EnvironmentConfig): StackOutputs {
  // Every resource goes through this provider: one region, and the same tags on everything.
  const provider = new aws.Provider("aws", {
    region: config.region as aws.Region,
    defaultTags: {
      tags: { Project: PROJECT, Environment: environment, ManagedBy: "pulumi" },
    },
  });
  const opts = { provider };

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

  // The page learns the API's URL from config.js, and the API allows the page's origin: the
  // deferred URL breaks that cycle without waiting for either value.
  let resolveApiUrl!: (url: pulumi.Output<string>) => void;
  const apiUrl = pulumi
    .output(new Promise<pulumi.Output<string>>((resolve) => (resolveApiUrl = resolve)))
    .apply((url) => url);
  const site = new SiteBucket(
    "site",
    {
      siteDir: SITE_DIR,
      bucketPrefix: `${physicalName(environment, "site")}-`,
      runtimeConfig: apiUrl.apply((url) => ({ apiUrl: url })),
    },
    opts,
  );
  const corsOrigin: pulumi.Input<string> =
    config.corsOrigin === "site" ? site.url : config.corsOrigin;

  const functions = routes.map((route) => {
    const table = tableResources[route.table];
    return {
      route,
      fn: new Function(
        route.name,
        {
          functionName: physicalName(environment, route.name),
          handlerFactory: route.handler,
          grants: [tableAccess(table.arn, route.actions)],
          environment: { TABLE_NAME: table.name, CORS_ORIGIN: corsOrigin },
          memoryMb: config.lambdaMemoryMb,
          timeoutSeconds: config.lambdaTimeoutSeconds,
          logRetentionDays: config.logRetentionDays,
          tracing: config.tracing,
          errorAlarm: config.alarms,
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
      })),
      corsOrigin,
      throttle: config.throttle,
      accessLogRetentionDays: config.apiAccessLogs ? config.logRetentionDays : undefined,
      tracing: config.tracing,
      serverErrorAlarm: config.alarms,
    },
    opts,
  );
  resolveApiUrl(api.url);

  // The course's scratch bucket: bucket names are global, so the account id keeps it unique.
  const account = aws.getCallerIdentityOutput({}, { provider });
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
  };
}
