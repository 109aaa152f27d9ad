// Which environment a resource belongs to. The engine names every resource with a URN that carries
// its stack (`urn:pulumi:<stack>::<project>::<type>::<name>`), so the stack being previewed or
// updated decides which rules apply: no per-stack policy config to pass, and none to pass wrongly.
// The program's own config (`Pulumi.<stack>.yaml`) is deliberately not consulted: a production
// stack whose config turned protection off must still fail.
import type { PolicyConfigSchema } from "@pulumi/policy";

/** Stacks held to production rules unless the pack's config says otherwise. */
const DEFAULT_PRODUCTION_STACKS = ["prod"];

export interface ProductionConfig {
  productionStacks?: string[];
}

/** The config of every production-only rule: `--policy-pack-config` may name more stacks. */
export const productionConfigSchema: PolicyConfigSchema = {
  properties: {
    productionStacks: {
      type: "array",
      items: { type: "string" },
      default: DEFAULT_PRODUCTION_STACKS,
      description: "Stacks held to the production rules",
    },
  },
};

function stackOf(urn: string): string {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  if (!match) throw new Error(`"${urn}" is not a Pulumi URN`);
  return match[1];
}

export function isProduction(urn: string, config: ProductionConfig): boolean {
  return (config.productionStacks ?? DEFAULT_PRODUCTION_STACKS).includes(stackOf(urn));
}
