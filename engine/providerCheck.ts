/**
 * The AWS provider's Check, offline: the engine calls it for every registration so that a name
 * AWS would refuse fails here the way `pulumi preview` fails, not only against the real provider.
 *
 * Order follows pulumi-terraform-bridge `pkg/tfbridge/provider.go` `Check`: auto-names are filled
 * first (an auto-name error aborts Check), then every constrained property is validated; values
 * unknown at preview are skipped, as Terraform skips validating unknowns.
 */
import {
  AUTO_NAMES,
  CONSTRAINTS,
  type AutoNameRule,
  type Constraint,
  type Rule,
} from "./constraints";
import { UNKNOWN } from "./wire";

export interface CheckFailure {
  property: string;
  message: string;
  source: string;
}
export interface CheckResult {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
}

// pulumi/pulumi sdk/go/common/resource/resource_id.go NewUniqueName, wrapped by the bridge's
// ComputeAutoNameDefault ("could not make instance of '<type>'").
const AUTO_NAME_SOURCE =
  "pulumi/pulumi sdk/go/common/resource/resource_id.go NewUniqueName via pulumi-terraform-bridge pkg/tfbridge/info/autonaming.go ComputeAutoNameDefault";

/**
 * What the AWS provider's Check does to one resource's inputs: fills auto-named properties
 * exactly as pulumi-aws does (for the property, its separator, random length, max length,
 * transforms such as lowercasing), then validates every constrained property.
 * `randomHex(n)` supplies the random characters (the engine passes a deterministic one).
 */
export function providerCheck(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  randomHex: (length: number) => string,
): CheckResult {
  const checked: Record<string, unknown> = { ...inputs };
  const nameFailures: CheckFailure[] = [];
  for (const rule of AUTO_NAMES.filter((r) => r.type === type)) {
    const filled = autoName(rule, name, inputs, randomHex);
    if (typeof filled === "string") checked[rule.property] = filled;
    else if (filled) nameFailures.push(filled);
  }
  if (nameFailures.length > 0) return { inputs, failures: nameFailures };

  const failures = CONSTRAINTS.filter((c) => c.type === type).flatMap((c) =>
    valuesAt(checked, c.property).flatMap(({ path, value }) => {
      const message = violation(c, value, checked);
      return message === undefined
        ? []
        : [
            {
              property: path,
              message: `${message}. Examine values at '${name}.${path}'.`,
              source: c.source,
            },
          ];
    }),
  );
  return { inputs: checked, failures };
}

/** The auto-name, a failure when it cannot fit, or undefined when the bridge adds none. */
function autoName(
  rule: AutoNameRule,
  name: string,
  inputs: Record<string, unknown>,
  randomHex: (length: number) => string,
): string | CheckFailure | undefined {
  const isSet = (property: string): boolean =>
    inputs[property] !== undefined && inputs[property] !== null;
  if (isSet(rule.property) || rule.unlessSet.some(isSet)) return undefined;
  const prefix = (rule.lowercase ? name.toLowerCase() : name) + rule.separator;
  if (rule.maxLength > 0 && prefix.length + rule.randomLength > rule.maxLength) {
    return {
      property: rule.property,
      message:
        `could not make instance of '${rule.type}': name '${prefix}' plus ${rule.randomLength} ` +
        `random chars is longer than maximum length ${rule.maxLength}`,
      source: `${rule.source}; ${AUTO_NAME_SOURCE}`,
    };
  }
  const fifo = rule.fifoFlag !== undefined && inputs[rule.fifoFlag] === true ? ".fifo" : "";
  return prefix + randomHex(rule.randomLength) + fifo;
}

/** Every known value at a property path, with the Pulumi path the bridge prints for it. */
function valuesAt(
  inputs: Record<string, unknown>,
  property: string,
): { path: string; value: unknown }[] {
  let found: { path: string; value: unknown }[] = [{ path: "", value: inputs }];
  for (const segment of property.split(".")) {
    const isArray = segment.endsWith("[]");
    const key = isArray ? segment.slice(0, -2) : segment;
    found = found.flatMap(({ path, value }) => {
      if (!isRecord(value) || value[key] === undefined || value[key] === null) return [];
      const here = path === "" ? key : `${path}.${key}`;
      const child = value[key];
      if (!isArray) return [{ path: here, value: child }];
      return Array.isArray(child)
        ? child.map((item, i) => ({ path: `${here}[${i}]`, value: item }))
        : [];
    });
  }
  return found.filter(({ value }) => value !== UNKNOWN);
}

/** The upstream validator's message when `value` breaks the rule, else undefined. */
function violation(
  c: Constraint,
  value: unknown,
  inputs: Record<string, unknown>,
): string | undefined {
  const rule: Rule = c.rule;
  const fill = (template: string, extra: Record<string, string> = {}): string =>
    Object.entries({
      key: c.key,
      qkey: goQuote(c.key),
      value: String(value),
      qvalue: goQuote(String(value)),
      ...extra,
    }).reduce((text, [k, v]) => text.split(`{${k}}`).join(v), template);
  switch (rule.kind) {
    case "pattern":
      if (typeof value !== "string" || new RegExp(rule.pattern).test(value)) return undefined;
      return rule.message.includes("{")
        ? fill(rule.message)
        : `invalid value for ${c.key} (${rule.message})`;
    case "notPattern":
      if (typeof value !== "string" || !new RegExp(rule.pattern).test(value)) return undefined;
      return fill(rule.message);
    case "length":
      if (typeof value !== "string" || (value.length >= rule.min && value.length <= rule.max))
        return undefined;
      return fill(
        rule.message ??
          `expected length of {key} to be in the range (${rule.min} - ${rule.max}), got {value}`,
      );
    case "oneOf":
      if (typeof value !== "string" || rule.values.includes(value)) return undefined;
      return fill(
        `expected {key} to be one of [${rule.values.map(goQuote).join(" ")}], got {value}`,
      );
    case "intRange":
      if (typeof value !== "number" || (value >= rule.min && value <= rule.max)) return undefined;
      return fill(`expected {key} to be in the range (${rule.min} - ${rule.max}), got {value}`);
    case "intOneOf":
      if (typeof value !== "number" || rule.values.includes(value)) return undefined;
      return fill(`expected {key} to be one of [${rule.values.join(" ")}], got {value}`);
    case "conflictsWith": {
      const other = inputs[rule.other];
      if (other === undefined || other === null || other === UNKNOWN) return undefined;
      return `"${c.key}": conflicts with ${rule.otherKey}`;
    }
    case "lambdaFunctionNameLength": {
      if (typeof value !== "string") return undefined;
      const functionName = lambdaFunctionName(value);
      if (functionName.length <= rule.max) return undefined;
      return (
        `expected length of the Lambda function name to be less than or equal to ${rule.max}, ` +
        `got ${functionName} (${functionName.length} characters)`
      );
    }
  }
}

/** The function-name part of a full or partial Lambda ARN (validFunctionName's length check). */
function lambdaFunctionName(value: string): string {
  const full =
    /^arn:[\w-]+:lambda:[a-z]{2}-(?:[a-z]+-){1,2}\d{1}:\d{12}:function:([0-9A-Za-z_-]+)(:(\$LATEST|[0-9A-Za-z_-]+))?$/.exec(
      value,
    );
  const partial = /^\d{12}:function:([0-9A-Za-z_-]+)$/.exec(value);
  return full?.[1] ?? partial?.[1] ?? value;
}

/** Go's %q for the plain ASCII strings these messages quote. */
function goQuote(text: string): string {
  return JSON.stringify(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
