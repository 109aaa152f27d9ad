// What an API Gateway deployment serves: every resource it snapshots, with the arguments each
// was created with. A deployment is a frozen copy of the API, so the stage sees a change of any
// of these only through a new deployment: its trigger hashes them all, not a hand-picked subset.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** JSON with object keys sorted at every level and `undefined` left out, as Pulumi leaves it out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The redeployment trigger: sha256 of the served resources' resolved arguments, by `type::name`. */
export function redeploymentHash(served: Record<string, unknown>): string {
  return createHash("sha256").update(canonicalJson(served)).digest("hex");
}

/** Collects the resources a deployment serves as they are created. */
export class DeploymentInputs {
  readonly resources: pulumi.Resource[] = [];
  private readonly args: Record<string, unknown> = {};

  /** Records a served resource and the arguments it was created with; returns the resource. */
  add<R extends pulumi.Resource>(resource: R, args: object): R {
    const key = `${pulumi.resourceType(resource)}::${pulumi.resourceName(resource)}`;
    if (key in this.args) throw new Error(`${key} is recorded twice`);
    this.args[key] = args;
    this.resources.push(resource);
    return resource;
  }

  /** Changes whenever any input of any served resource changes. */
  hash(): pulumi.Output<string> {
    return pulumi.output(this.args).apply(redeploymentHash);
  }
}
