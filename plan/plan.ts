// `npm run plan -- --stack dev [--update]`: prints the stack's plan as recorded under mocks;
// with --update, writes it to tests/plan/<stack>.plan.txt, the snapshot the tests compare with.
import * as fs from "node:fs";
import { recordStack } from "../local/recordStack";
import { REPO_ROOT } from "../local/stackConfig";
import { renderPlan, snapshotPath } from "./render";

async function main(): Promise<void> {
  const i = process.argv.indexOf("--stack");
  const stack = i >= 0 ? process.argv[i + 1] : undefined;
  if (!stack) throw new Error("usage: npm run plan -- --stack <dev|prod> [--update]");
  const plan = renderPlan(await recordStack(stack), REPO_ROOT);
  if (process.argv.includes("--update")) {
    fs.writeFileSync(snapshotPath(REPO_ROOT, stack), plan);
    console.log(`wrote ${snapshotPath(REPO_ROOT, stack)}`);
  } else {
    process.stdout.write(plan);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
