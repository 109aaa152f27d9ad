// One `npm start` per data folder: a second one would share dynalite's files with the first
// (and `--fresh` would delete them under it). The lock is a pid file beside the folder, so
// `--fresh` cannot remove it, and a lock whose process is gone is taken over.
import * as fs from "node:fs";
import * as path from "node:path";

export class DataDirInUse extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the data folder for this process; the returned function gives it back. */
export function lockDataDir(dataDir: string): () => void {
  const lock = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.pid`);
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = Number(fs.readFileSync(lock, "utf8"));
    if (holder && alive(holder)) {
      throw new DataDirInUse(
        `the data folder ${dataDir} is in use by another npm start (pid ${holder}): stop that ` +
          `one first`,
      );
    }
    fs.rmSync(lock, { force: true });
  }
}
