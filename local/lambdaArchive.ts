// A Lambda code archive as the program declares it (`AssetArchive` entries, recorded as JSON:
// inline text, or files and folders by path), and the task root Lambda extracts it to.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export type ArchiveEntry =
  { $asset: { text: string } } | { $asset: { path: string } } | { $archive: { path: string } };

/** Archive path → entry, e.g. `__index.js` → `{ $asset: { text } }`. */
export type AssetMap = Record<string, ArchiveEntry>;

/** The entries of a recorded `code` input (`{ $archive: { assets } }`); throws on anything else. */
export function assetMap(code: unknown): AssetMap {
  const assets = (code as { $archive?: { assets?: unknown } } | undefined)?.$archive?.assets;
  if (!assets || typeof assets !== "object") {
    throw new Error(`not an asset archive: ${JSON.stringify(code)?.slice(0, 200)}`);
  }
  return assets as AssetMap;
}

/** The file or folder an entry given by path refers to, resolved against `root`. */
export function entrySource(entry: ArchiveEntry, root: string): string | undefined {
  if ("$archive" in entry) return path.resolve(root, entry.$archive.path);
  return "path" in entry.$asset ? path.resolve(root, entry.$asset.path) : undefined;
}

/**
 * Writes the archive into a fresh folder under os.tmpdir(), as Lambda extracts it to /var/task:
 * out of reach of the project's node_modules. Entries given by path are resolved against `root`
 * (the folder the program ran in). Returns the folder.
 */
export function extractArchive(assets: AssetMap, root: string): string {
  const taskRoot = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-task-"));
  for (const [name, entry] of Object.entries(assets)) {
    const target = path.join(taskRoot, name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const source = entrySource(entry, root);
    if (source === undefined) {
      fs.writeFileSync(target, (entry as { $asset: { text: string } }).$asset.text);
    } else if ("$archive" in entry && !fs.statSync(source).isDirectory()) {
      throw new Error(`${name}: archives inside archives (${source}) are not supported`);
    } else {
      fs.cpSync(source, target, { recursive: true, dereference: true });
    }
  }
  return taskRoot;
}
