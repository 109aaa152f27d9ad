// Every rule of the pack, in one list: `index.ts` serves it to the Pulumi CLI and the offline
// tests evaluate it against each stack's recorded graph.
import type { Policies } from "@pulumi/policy";
import {
  apigatewayProductionStageObservability,
  apigatewayStageThrottling,
  apigatewayUserRoutesAuthorized,
} from "./rules/apigateway";
import { dynamodbEncryptionAtRest, dynamodbProductionRecovery } from "./rules/dynamodb";
import { iamNoFullAccessManagedPolicies, iamNoWildcardActions } from "./rules/iam";
import {
  lambdaExplicitMemoryAndTimeout,
  lambdaLogGroupRetention,
  lambdaSupportedRuntime,
} from "./rules/lambda";
import { cloudfrontHttpsWithSecurityHeaders } from "./rules/cloudfront";
import { cloudwatchAlarmHasAction } from "./rules/operations";
import {
  s3DenyInsecureTransport,
  s3ProductionSiteNotPublic,
  s3PublicOnlyWebsiteObjectReads,
} from "./rules/s3";

export const POLICY_PACK_NAME = "serverless-notes";

export const policies: Policies = [
  iamNoWildcardActions,
  iamNoFullAccessManagedPolicies,
  s3PublicOnlyWebsiteObjectReads,
  s3DenyInsecureTransport,
  s3ProductionSiteNotPublic,
  lambdaSupportedRuntime,
  lambdaExplicitMemoryAndTimeout,
  lambdaLogGroupRetention,
  dynamodbEncryptionAtRest,
  dynamodbProductionRecovery,
  apigatewayStageThrottling,
  apigatewayProductionStageObservability,
  apigatewayUserRoutesAuthorized,
  cloudfrontHttpsWithSecurityHeaders,
  cloudwatchAlarmHasAction,
];
