// The size of a code archive as a real zip (deflate), the way `pulumi up` uploads it: every file
// of every entry, folders walked and symlinks followed.
import * as fs from "node:fs";
import * as path from "node:path";
import { ZipFile } from "yazl";
import { entrySource } from "../local/lambdaArchive";
import type { AssetMap } from "../local/lambdaArchive";

export interface ZipMeasure {
  bytes: number;
  files: number;
}

/** Every file under `source` (itself when a file), as paths relative to it. */
function filesUnder(source: string, relative = ""): string[] {
  const at = path.join(source, relative);
  if (!fs.statSync(at).isDirectory()) return [relative];
  return fs
    .readdirSync(at)
    .sort()
    .flatMap((name) => filesUnder(source, path.join(relative, name)));
}

/** Zips the archive (entries given by path resolved against `root`) and counts its bytes. */
export async function zipSize(assets: AssetMap, root: string): Promise<ZipMeasure> {
  const zip = new ZipFile();
  let files = 0;
  for (const [name, entry] of Object.entries(assets)) {
    const source = entrySource(entry, root);
    if (source === undefined) {
      zip.addBuffer(Buffer.from((entry as { $asset: { text: string } }).$asset.text), name);
      files++;
      continue;
    }
    for (const file of filesUnder(source)) {
      zip.addFile(path.join(source, file), path.posix.join(name, file.split(path.sep).join("/")));
      files++;
    }
  }
  zip.end();
  let bytes = 0;
  for await (const chunk of zip.outputStream) bytes += (chunk as Buffer).length;
  return { bytes, files };
}
