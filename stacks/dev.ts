import { loadEnvironmentConfig } from "../infra/config";
import { buildEnvironment, StackOutputs } from "./build";

/** Development: what `Pulumi.dev.yaml` chooses (short retention, open CORS, the lab bucket). */
export function dev(): StackOutputs {
  return buildEnvironment("dev", loadEnvironmentConfig());
}
