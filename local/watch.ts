// Watches the program's sources for `npm start`'s reload. chokidar (4.x: CommonJS, one
// dependency, Node >= 14.16) rather than Node 20's own `fs.watch(dir, { recursive: true })`: on
// Linux that one walks the tree asynchronously and misses files in folders made meanwhile
// (nodejs/node#48437) and throws from its own stat of a deleted file (nodejs/node#52018), which
// would end `npm start`. An editor's save is several events (write, rename, chmod), so a burst
// is one change; a change during a reload queues exactly one more.
import * as path from "node:path";
import { watch } from "chokidar";

export interface WatchOptions {
  /** The folder `paths` are relative to; changes are reported relative to it too. */
  root: string;
  /** Folders (watched with everything under them) and files. */
  paths: string[];
  /** How long the sources must be quiet before a change is acted on; default 200 ms. */
  debounceMs?: number;
  /** What to do about the changed files; the next call waits for this one to settle. */
  onChange: (files: string[]) => Promise<void>;
  /** A watcher's own error (a folder it cannot read, say). */
  onError?: (error: Error) => void;
}

export interface ProgramWatcher {
  /** Resolves once the watcher sees the files (chokidar's `ready`). */
  ready: Promise<void>;
  /** Stops watching; a change being handled is let finish. */
  close(): Promise<void>;
}

/** Dependencies, the stack's kept data, and dotfiles (editors' swap and lock files) are no source. */
export function ignoredSource(relative: string): boolean {
  return relative
    .split(path.sep)
    .some((part) => part === "node_modules" || (part.startsWith(".") && part !== ".."));
}

export function watchProgram(options: WatchOptions): ProgramWatcher {
  const { root } = options;
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  const run = () => {
    timer = undefined;
    if (running || closed || pending.size === 0) return;
    const files = [...pending].sort();
    pending.clear();
    running = options
      .onChange(files)
      .catch((error: unknown) => options.onError?.(error as Error))
      .finally(() => {
        running = undefined;
        // What changed meanwhile is one more reload, after this one.
        if (pending.size > 0 && !timer) run();
      });
  };

  // One watch of the root, pruned to the sources: chokidar given a file that does not exist yet
  // (a stack's config before it is written) says `ready` once per path, before all are watched.
  const sources = options.paths.map((p) => path.normalize(p));
  const admitted = (relative: string) =>
    relative === "" ||
    (!ignoredSource(relative) &&
      sources.some(
        (s) =>
          relative === s ||
          relative.startsWith(`${s}${path.sep}`) ||
          s.startsWith(`${relative}${path.sep}`),
      ));
  const watcher = watch(root, {
    ignoreInitial: true,
    ignored: (file) => !admitted(path.relative(root, file)),
  });
  watcher.on("all", (_event, file) => {
    if (closed) return;
    pending.add(path.relative(root, file));
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, options.debounceMs ?? 200);
  });
  watcher.on("error", (error) => options.onError?.(error as Error));
  const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));

  return {
    ready,
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      await watcher.close();
      await running;
    },
  };
}

/** What `npm start` of a stack watches: the program's folders and its config files. */
export function programSources(stack: string): string[] {
  return ["app", "site", "infra", "stacks", "Pulumi.yaml", `Pulumi.${stack}.yaml`];
}
