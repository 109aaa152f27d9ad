// The few npm modules a function ships in its archive, file by file: Pulumi would add a package's
// whole folder (csv-parse's is 1.7 MB, most of it browser builds and type declarations), when the
// handler needs one file of it and the package.json that maps the specifier to that file.
import * as fs from "node:fs";
import { isBuiltin } from "node:module";
import * as path from "node:path";

/** `csv-parse/sync` → `csv-parse`; `@scope/pkg/sub` → `@scope/pkg`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return parts.slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
}

/** The folder of the installed package that holds `file`. */
export function packageFolder(file: string, name: string): string {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (dir.endsWith(path.join("node_modules", name)) && fs.existsSync(manifest)) return dir;
  }
  throw new Error(`${file} is not inside an installed package ${name}`);
}

/**
 * The archive paths that ship each module: the one CommonJS file `require` resolves it to from
 * this program (through the package's `exports` map) and that package's package.json, so that
 * the same specifier resolves on Lambda. Pulumi's code paths take them relative to the working
 * directory (`workingDir`), which the CLI chooses, so a working directory whose node_modules
 * does not hold the package is refused with the reason rather than archived as `../…`. A file
 * that requires anything but Node built-ins cannot ship alone and is refused too.
 */
export function moduleFiles(specifiers: string[], workingDir: string = process.cwd()): string[] {
  const files = new Set<string>();
  for (const specifier of specifiers) {
    const file = require.resolve(specifier);
    const needs = [...fs.readFileSync(file, "utf8").matchAll(/\brequire\(\s*["']([^"']+)["']/g)]
      .map((m) => m[1])
      .filter((name) => !isBuiltin(name));
    if (needs.length > 0) {
      throw new Error(`${specifier} (${file}) requires ${needs.join(", ")}: it cannot ship alone`);
    }
    for (const shipped of [
      path.join(packageFolder(file, packageOf(specifier)), "package.json"),
      file,
    ]) {
      const relative = path.relative(workingDir, shipped).split(path.sep).join("/");
      if (!relative.startsWith("node_modules/")) {
        throw new Error(
          `${specifier}: ${shipped} is not in ${workingDir}/node_modules, and Pulumi archives ` +
            `code paths relative to the working directory: run the program from the project ` +
            `root (no directory in Pulumi.yaml's main)`,
        );
      }
      files.add(relative);
    }
  }
  return [...files];
}
