// A stack's plan as text: the resource tree the program declares (recorded under mocks), each
// resource with its inputs, assets as content hashes. Stable across machines and runs, so a
// committed copy turns every infrastructure change into a readable diff.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RecordedResource, RecordedStack } from "../local/recordStack";

const hash = (content: string | Buffer) =>
  createHash("sha256").update(content).digest("hex").slice(0, 16);

/** Assets and archives by content, paths relative to the repository. */
function plainValue(value: unknown, root: string): unknown {
  if (Array.isArray(value)) return value.map((v) => plainValue(v, root));
  if (!value || typeof value !== "object") return value;
  const asset = (value as { $asset?: { text?: string; path?: string } }).$asset;
  if (asset?.text !== undefined) return `<text ${asset.text.length} B sha256:${hash(asset.text)}>`;
  if (asset?.path !== undefined) {
    const file = path.relative(root, asset.path);
    return `<file ${file} sha256:${hash(fs.readFileSync(asset.path))}>`;
  }
  const archive = (value as { $archive?: { assets?: Record<string, unknown>; path?: string } })
    .$archive;
  if (archive?.path !== undefined) return `<folder ${path.relative(root, archive.path)}>`;
  if (archive?.assets) {
    return Object.fromEntries(
      Object.entries(archive.assets)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, plainValue(v, root)]),
    );
  }
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, plainValue(v, root)]),
  );
}

function describe(resource: RecordedResource, root: string, indent: string): string[] {
  const lines = [
    `${indent}${resource.type} "${resource.name}"${resource.protect ? "  (protect)" : ""}`,
  ];
  const inputs = plainValue(resource.inputs, root) as Record<string, unknown>;
  for (const [key, value] of Object.entries(inputs)) {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    lines.push(`${indent}    ${key}: ${text}`);
  }
  if (resource.dependsOn.length) {
    lines.push(`${indent}    dependsOn:`);
    for (const d of [...resource.dependsOn].sort()) lines.push(`${indent}      - ${d}`);
  }
  return lines;
}

export function renderPlan(recorded: RecordedStack, root: string): string {
  if (recorded.error) throw new Error(`the ${recorded.stack} program failed: ${recorded.error}`);
  const key = (r: RecordedResource) => `${r.type}::${r.name}`;
  const stackResource = recorded.resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const parentOf = (r: RecordedResource) =>
    r.parent ?? (r === stackResource ? undefined : stackResource && key(stackResource));
  const children = new Map<string | undefined, RecordedResource[]>();
  for (const r of recorded.resources) {
    const parent = parentOf(r);
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const lines: string[] = [
    `# plan of stack ${recorded.stack}: ${recorded.resources.length} resources`,
  ];
  const walk = (parent: string | undefined, depth: number) => {
    const sorted = (children.get(parent) ?? []).sort((a, b) => key(a).localeCompare(key(b)));
    for (const r of sorted) {
      lines.push(...describe(r, root, "  ".repeat(depth)));
      walk(key(r), depth + 1);
    }
  };
  walk(undefined, 0);
  lines.push("", "# outputs");
  for (const [name, value] of Object.entries(recorded.outputs).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    lines.push(`${name}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
  }
  return `${lines.join("\n")}\n`;
}

export function snapshotPath(root: string, stack: string): string {
  return path.join(root, "tests", "plan", `${stack}.plan.txt`);
}
