// The Node.js a function's workers run on: the major of its declared Lambda runtime
// (`nodejs24.x` → 24), from the registry's `node-linux-<arch>` package (an optional dependency
// that ships the binary itself), so code that only works on the host's Node fails here as it
// would on Lambda. Where that package is missing or of another major, the host's Node serves,
// and the caller is told so.
import { execFileSync } from "node:child_process";
import * as path from "node:path";

export interface NodeBinary {
  execPath: string;
  /** The Node.js version it runs (`v24.22.3`). */
  version: string;
  /** Why the host's Node.js stands in, when it does. */
  warning?: string;
}

const found = new Map<string, NodeBinary>();

/** `nodejs24.x` → 24; undefined for anything else. */
export function runtimeMajor(runtime: string): number | undefined {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  return major === undefined ? undefined : Number(major);
}

export function nodeFor(runtime: string): NodeBinary {
  const known = found.get(runtime);
  if (known) return known;
  const major = runtimeMajor(runtime);
  const host: NodeBinary = { execPath: process.execPath, version: process.version };
  const fallback = (why: string): NodeBinary => ({
    ...host,
    warning: `${runtime}: ${why}; functions run on this machine's Node.js ${process.version}`,
  });
  let chosen: NodeBinary;
  if (major === undefined) {
    chosen = fallback("not a Node.js runtime");
  } else if (Number(process.versions.node.split(".")[0]) === major) {
    chosen = host;
  } else {
    const pkg = `node-linux-${process.arch}`;
    try {
      const execPath = path.join(
        path.dirname(require.resolve(`${pkg}/package.json`)),
        "bin",
        "node",
      );
      const version = execFileSync(execPath, ["--version"], { encoding: "utf8" }).trim();
      chosen = version.startsWith(`v${major}.`)
        ? { execPath, version }
        : fallback(`${pkg} holds Node.js ${version}, not ${major}`);
    } catch {
      chosen = fallback(`${pkg} (an optional dependency) is not installed for this platform`);
    }
  }
  found.set(runtime, chosen);
  return chosen;
}
