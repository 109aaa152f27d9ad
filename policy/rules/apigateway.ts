// Every API Gateway stage is throttled, so a flood of requests costs a 429 and not a Lambda bill;
// production stages also keep access logs and X-Ray traces; a user's own routes need a caller.
import * as aws from "@pulumi/aws";
import {
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { ProductionConfig, isProduction, productionConfigSchema } from "../environment";
import { PreviewGaps, Unknown, isUnknown } from "../previewGaps";

type Decision = boolean | Unknown;

/** Whether two resources' properties name the same thing: by value, else by a shared source. */
function sameSource(
  gaps: PreviewGaps,
  a: PolicyResource,
  aKey: string,
  b: PolicyResource,
  bKey: string,
): Decision {
  const aValue = gaps.read(() => a.props[aKey] as unknown);
  const bValue = gaps.read(() => b.props[bKey] as unknown);
  if (!isUnknown(aValue) && !isUnknown(bValue)) return aValue === bValue;
  const aSources = (a.propertyDependencies[aKey] ?? []).map((d) => d.urn);
  const bSources = (b.propertyDependencies[bKey] ?? []).map((d) => d.urn);
  if (aSources.some((urn) => bSources.includes(urn))) return true;
  // Both computed, from different resources: different things.
  if (isUnknown(aValue) && isUnknown(bValue) && aSources.length > 0 && bSources.length > 0) {
    return false;
  }
  return isUnknown(aValue) ? aValue : (bValue as Unknown);
}

/** Whether method settings apply to a stage: the same REST API and the same stage name. */
function settingsOfStage(
  gaps: PreviewGaps,
  settings: PolicyResource,
  stage: PolicyResource,
): Decision {
  // `stageName: stage.stageName` ties the settings to this very stage, API included.
  if ((settings.propertyDependencies.stageName ?? []).some((d) => d.urn === stage.urn)) return true;
  const name = gaps.read(() => settings.props.stageName as string);
  const stageName = gaps.read(() => stage.props.stageName as string);
  if (!isUnknown(name) && !isUnknown(stageName) && name !== stageName) return false;
  const api = sameSource(gaps, settings, "restApi", stage, "restApi");
  if (api === false) return false;
  if (isUnknown(name)) return name;
  if (isUnknown(stageName)) return stageName;
  return api;
}

/** A limit API Gateway enforces: absent and -1 both mean "not throttled". */
const isLimit = (value: unknown): boolean => typeof value === "number" && value >= 0;

export const apigatewayStageThrottling: StackValidationPolicy = {
  name: "apigateway-stage-throttling",
  description:
    "Every API Gateway stage has method settings for all its methods (*/*) with a rate and a burst limit.",
  validateStack: (args, report) => {
    const gaps = new PreviewGaps();
    const allSettings = args.resources.filter((r) => r.isType(aws.apigateway.MethodSettings));
    for (const stage of args.resources.filter((r) => r.isType(aws.apigateway.Stage))) {
      let undecided: Unknown | undefined;
      let throttled = false;
      for (const settings of allSettings) {
        const applies = settingsOfStage(gaps, settings, stage);
        if (isUnknown(applies)) undecided ??= applies;
        if (applies !== true) continue;
        const limits = gaps.read(() => ({
          path: settings.props.methodPath as string,
          rate: settings.props.settings?.throttlingRateLimit as unknown,
          burst: settings.props.settings?.throttlingBurstLimit as unknown,
        }));
        if (isUnknown(limits)) undecided ??= limits;
        else if (limits.path === "*/*" && isLimit(limits.rate) && isLimit(limits.burst)) {
          throttled = true;
        }
      }
      if (throttled) continue;
      if (undecided) gaps.skip(undecided);
      else {
        report(
          `Stage "${stage.name}" is not throttled: add method settings for "*/*" with ` +
            "settings.throttlingRateLimit and settings.throttlingBurstLimit.",
          stage.urn,
        );
      }
    }
    gaps.finish();
  },
};

export const apigatewayProductionStageObservability: ResourceValidationPolicy = {
  name: "apigateway-production-stage-observability",
  description: "In production, API Gateway stages write access logs and X-Ray traces.",
  configSchema: productionConfigSchema,
  validateResource: validateResourceOfType(aws.apigateway.Stage, (stage, args, report) => {
    if (!isProduction(args.urn, args.getConfig<ProductionConfig>())) return;
    const gaps = new PreviewGaps();
    const missing: string[] = [];
    // The destination is usually a log group created alongside: being set is what counts.
    const logs = gaps.read(() => {
      const settings = stage.accessLogSettings;
      return settings && "destinationArn" in settings && "format" in settings;
    });
    if (isUnknown(logs)) gaps.skip(logs);
    else if (!logs) {
      missing.push("access logs (accessLogSettings with destinationArn and format)");
    }
    const tracing = gaps.read(() => stage.xrayTracingEnabled);
    if (isUnknown(tracing)) gaps.skip(tracing);
    else if (tracing !== true) missing.push("X-Ray tracing (xrayTracingEnabled: true)");
    if (missing.length > 0) {
      report(`Production stage "${args.name}" lacks ${missing.join(" and ")}.`);
    }
    gaps.finish();
  }),
};

/** The path segments of an API Gateway resource, root first, followed through its parents. */
function pathSegments(
  gaps: PreviewGaps,
  resources: PolicyResource[],
  start: PolicyResource,
): string[] | Unknown {
  const segments: string[] = [];
  for (let at: PolicyResource | undefined = start; at;) {
    const current: PolicyResource = at;
    const part = gaps.read(() => current.props.pathPart as string);
    if (isUnknown(part)) return part;
    segments.unshift(part);
    at = resourceNamedBy(gaps, resources, current, "parentId");
  }
  return segments;
}

/** The API Gateway resource a property names: by the resource it came from, else by its id. */
function resourceNamedBy(
  gaps: PreviewGaps,
  resources: PolicyResource[],
  holder: PolicyResource,
  key: string,
): PolicyResource | undefined {
  const sources = (holder.propertyDependencies[key] ?? []).map((d) => d.urn);
  const bySource = resources.find((r) => sources.includes(r.urn));
  if (bySource) return bySource;
  const id = gaps.read(() => holder.props[key] as unknown);
  if (isUnknown(id) || id === undefined) return undefined;
  return resources.find((r) => {
    const own = gaps.read(() => r.props.id as unknown);
    return !isUnknown(own) && own === id;
  });
}

/** The path parameter that names whose data a route serves. */
const OWNER_SEGMENT = "{userId}";

export const apigatewayUserRoutesAuthorized: StackValidationPolicy = {
  name: "apigateway-user-routes-authorized",
  description:
    "Every API Gateway method on a path with {userId} has an authorizer (authorization is not NONE).",
  validateStack: (args, report) => {
    const gaps = new PreviewGaps();
    const resources = args.resources.filter((r) => r.isType(aws.apigateway.Resource));
    for (const method of args.resources.filter((r) => r.isType(aws.apigateway.Method))) {
      const httpMethod = gaps.read(() => method.props.httpMethod as string);
      // The CORS preflight carries no token: browsers send it before any sign-in header.
      if (httpMethod === "OPTIONS") continue;
      const resource = resourceNamedBy(gaps, resources, method, "resourceId");
      if (!resource) continue;
      const segments = pathSegments(gaps, resources, resource);
      if (isUnknown(segments)) {
        gaps.skip(segments);
        continue;
      }
      if (!segments.includes(OWNER_SEGMENT)) continue;
      const authorization = gaps.read(() => method.props.authorization as string);
      if (isUnknown(authorization)) gaps.skip(authorization);
      else if (!authorization || authorization === "NONE") {
        report(
          `Method "${method.name}" (${String(httpMethod)} /${segments.join("/")}) serves one ` +
            `user's data without an authorizer: set authorization (e.g. COGNITO_USER_POOLS) ` +
            "and authorizerId.",
          method.urn,
        );
      }
    }
    gaps.finish();
  },
};
