// What the Pulumi engine hands a policy pack, built from a graph the mock harness recorded: each
// resource's URN, type, name, options, provider, parent, dependencies and property dependencies,
// the inputs `Analyze` sees before the resource is created and the outputs `AnalyzeStack` sees
// after. Two phases:
// - "update": every value known, as `pulumi up` analyses them (the mocks answered like AWS);
// - "preview": the preview of a stack that does not exist yet: whatever AWS computes (ids, ARNs,
//   generated names) is unknown, and so is every input computed from such a value, while the
//   engine still knows which resources each property was computed from.
import * as proxy from "@pulumi/policy/proxy";
import type { RecordedResource, RecordedStack } from "../harness/graph";

export type Phase = "update" | "preview";

export interface EngineResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** What `Analyze` receives: the resource's inputs. */
  inputs: Record<string, unknown>;
  /** What `AnalyzeStack` receives: the resource's outputs. */
  outputs: Record<string, unknown>;
  protect: boolean;
  parent?: string;
  provider?: { urn: string; type: string; name: string; inputs: Record<string, unknown> };
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

// The engine's unknown values as they reach the pack: the library's own sentinels, one per type.
const SENTINELS = proxy as unknown as Record<
  | "unknownStringValue"
  | "unknownNumberValue"
  | "unknownBooleanValue"
  | "unknownArrayValue"
  | "unknownObjectValue",
  string
>;

function unknownLike(value: unknown): string {
  if (typeof value === "number") return SENTINELS.unknownNumberValue;
  if (typeof value === "boolean") return SENTINELS.unknownBooleanValue;
  if (Array.isArray(value)) return SENTINELS.unknownArrayValue;
  if (value !== null && typeof value === "object") return SENTINELS.unknownObjectValue;
  return SENTINELS.unknownStringValue;
}

const PROJECT = "serverless-notes";
const STACK_TYPE = "pulumi:pulumi:Stack";
const keyOf = (r: { type: string; name: string }) => `${r.type}::${r.name}`;

/** The engine's URNs: the types of the resource's component ancestors, then its own type. */
function urns(recorded: RecordedStack): Map<string, string> {
  const byKey = new Map(recorded.resources.map((r) => [keyOf(r), r]));
  const result = new Map<string, string>();
  for (const r of recorded.resources) {
    const types = [r.type];
    for (let p = r.parent && byKey.get(r.parent); p && p.type !== STACK_TYPE;) {
      types.unshift(p.type);
      p = p.parent ? byKey.get(p.parent) : undefined;
    }
    result.set(keyOf(r), `urn:pulumi:${recorded.stack}::${PROJECT}::${types.join("$")}::${r.name}`);
  }
  return result;
}

/** Every string inside a value, with a way to replace it. */
function mapStrings(value: unknown, change: (s: string) => unknown): unknown {
  if (typeof value === "string") return change(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, change));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, change)]));
  }
  return value;
}

/**
 * What AWS computes for a resource, which does not exist before the resource does: its id, and
 * every output that is not one of its inputs (ARNs, generated names, endpoints).
 */
function computedBy(r: RecordedResource): { id?: string; values: string[] } {
  const values = Object.entries(r.state)
    .filter(([k, v]) => typeof v === "string" && v.length >= 12 && r.inputs[k] !== v)
    .map(([, v]) => v as string);
  return { id: r.id, values };
}

/** The resources whose computed values a string was made from: equal to an id, or containing an output. */
function sourcesOf(
  s: string,
  computed: Map<string, { id?: string; values: string[] }>,
  self: string,
) {
  return [...computed.entries()]
    .filter(([key, c]) => key !== self && (c.id === s || c.values.some((v) => s.includes(v))))
    .map(([key]) => key);
}

export function engineView(recorded: RecordedStack, phase: Phase): EngineResource[] {
  const urnOf = urns(recorded);
  const urn = (key: string) => {
    const found = urnOf.get(key);
    if (!found) throw new Error(`${recorded.stack}: no resource ${key}`);
    return found;
  };
  const stack = recorded.resources.find((r) => r.type === STACK_TYPE);
  const providers = recorded.resources.filter((r) => r.type.startsWith("pulumi:providers:"));
  // Only custom resources are created by a provider; components and providers compute nothing.
  const computed = new Map(
    recorded.resources
      .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
      .map((r) => [keyOf(r), computedBy(r)]),
  );

  return recorded.resources.map((r) => {
    const key = keyOf(r);
    const propertyDependencies: Record<string, string[]> = {};
    const view = (props: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(props).map(([k, v]) => {
          const value = mapStrings(v, (s) => {
            const sources = sourcesOf(s, computed, key);
            if (sources.length === 0) return s;
            propertyDependencies[k] = [
              ...new Set([...(propertyDependencies[k] ?? []), ...sources.map(urn)]),
            ];
            return phase === "preview" ? SENTINELS.unknownStringValue : s;
          });
          return [k, value];
        }),
      );
    const inputs = view(r.inputs);
    const outputs = r.custom
      ? Object.fromEntries(
          Object.entries(view(r.state)).map(([k, v]) =>
            phase === "preview" && !(k in r.inputs) ? [k, unknownLike(v)] : [k, v],
          ),
        )
      : {};
    const provider = r.provider
      ? providers.find((p) => r.provider!.includes(`::${p.name}::`))
      : undefined;
    if (r.provider && !provider) throw new Error(`${key}: no provider ${r.provider}`);
    const parent = r.parent ?? (stack && r !== stack ? keyOf(stack) : undefined);
    return {
      urn: urn(key),
      type: r.type,
      name: r.name,
      custom: r.custom,
      inputs,
      outputs,
      protect: r.protect,
      parent: parent && urn(parent),
      provider: provider && {
        urn: urn(keyOf(provider)),
        type: provider.type,
        name: provider.name,
        inputs: provider.inputs,
      },
      dependencies: [
        ...new Set([
          ...r.dependsOn.filter((d) => d !== "?").map(urn),
          ...Object.values(propertyDependencies).flat(),
        ]),
      ],
      propertyDependencies,
    };
  });
}
