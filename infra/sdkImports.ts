// Which AWS SDK modules a serialised handler requires, and which of their exports it uses: the
// closure serialiser writes each captured module as `const x_1 = require("<file>")` and the
// TypeScript it came from reads it as `x_1.Name` only, so the names are all in the text. Any
// other use of the module (passed whole, indexed, required inline) keeps every export. The SDK is
// what the runtime carries: the `@aws-sdk` and `@smithy` scopes.

import { packageOf } from "./archiveModules";

export interface SdkImport {
  /** The specifier as the handler requires it, e.g. `@aws-sdk/client-dynamodb/dist-cjs/index.js`. */
  specifier: string;
  /** `@aws-sdk/client-dynamodb`. */
  packageName: string;
  /** The exports the handler reads, sorted; undefined when it may read any. */
  names?: string[];
}

const REQUIRE = /\brequire\(\s*(["'])((?:@aws-sdk|@smithy)\/[^"']+)\1\s*\)/g;
const BOUND = /(\bconst|\blet|\bvar)(\s+)([A-Za-z_$][\w$]*)\s*=\s*$/;

const escape = (name: string) => name.replace(/[$]/g, "\\$");

/** The names read through `binding` (`binding.Name`), or undefined if it is used any other way. */
function namesReadThrough(text: string, binding: string, declaredAt: number): string[] | undefined {
  const names = new Set<string>();
  const use = new RegExp(
    `(?<![\\w$.])${escape(binding)}(?![\\w$])(\\s*\\.\\s*([A-Za-z_$][\\w$]*))?`,
    "g",
  );
  for (const match of text.matchAll(use)) {
    if (match.index === declaredAt) continue;
    if (match[2] === undefined) return undefined;
    names.add(match[2]);
  }
  return [...names].sort();
}

/** The SDK modules `text` requires, one entry per specifier, names merged. */
export function sdkImports(text: string): SdkImport[] {
  const found = new Map<string, SdkImport>();
  for (const match of text.matchAll(REQUIRE)) {
    const specifier = match[2];
    const before = text.slice(Math.max(0, match.index - 200), match.index);
    const bound = BOUND.exec(before);
    const names = bound
      ? namesReadThrough(
          text,
          bound[3],
          match.index - bound[0].length + bound[1].length + bound[2].length,
        )
      : undefined;
    const known = found.get(specifier);
    if (!known) {
      found.set(specifier, { specifier, packageName: packageOf(specifier), names });
    } else if (known.names && names) {
      known.names = [...new Set([...known.names, ...names])].sort();
    } else {
      known.names = undefined;
    }
  }
  return [...found.values()].sort((a, b) => a.specifier.localeCompare(b.specifier));
}
