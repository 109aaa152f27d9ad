// A stack's configuration as the Pulumi CLI hands it to the program: `Pulumi.<stack>.yaml`'s
// `config:` map, every value a string (objects and lists as JSON).
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

export const REPO_ROOT = path.join(__dirname, "..");

export function stackConfigPath(stack: string): string {
  return path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
}

export function loadStackConfig(stack: string): Record<string, string> {
  const file = stackConfigPath(stack);
  if (!fs.existsSync(file)) return {};
  const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(doc.config ?? {}).map(([k, v]) => [
      k,
      typeof v === "string" ? v : JSON.stringify(v),
    ]),
  );
}
