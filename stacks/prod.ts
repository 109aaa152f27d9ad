import { loadEnvironmentConfig } from "../infra/config";
import { buildEnvironment, StackOutputs } from "./build";

/** Production: what `Pulumi.prod.yaml` chooses (PITR, protection, tracing, alarms, site-only CORS). */
export function prod(): StackOutputs {
  return buildEnvironment("prod", loadEnvironmentConfig());
}
