// The delivery pipeline as a specification: what the GitHub workflows promise (README, Delivery),
// checked on the committed files. Every rule is also run on copies broken in the way it guards
// against, so a rule that can no longer fail is caught.
import * as assert from "node:assert/strict";
import { load } from "js-yaml";
import {
  type DeliveryFiles,
  type Job,
  type JobRun,
  type Step,
  type Workflow,
  actionName,
  allJobRuns,
  deliverySection,
  effectivePermissions,
  environmentName,
  needsOf,
  readDeliveryFiles,
  stepsUsing,
  text,
  withText,
  withYaml,
  workflow,
  workflowFiles,
} from "./delivery";

const PULL_REQUEST = ".github/workflows/pull-request.yml";
const DEPLOY = ".github/workflows/deploy.yml";
const TEST = ".github/workflows/test.yml";
const PREPARE = ".github/actions/prepare-stack/action.yml";
const STACKS = ["dev", "prod"];
const PULUMI = "pulumi/actions";
const AWS_CREDENTIALS = "aws-actions/configure-aws-credentials";
/** Node.js 20 is past its end of life; 24 is what the Lambda functions run too. */
const NODE_MAJOR = "24";
const PULUMI_VERSION_FILE = ".pulumi-version";
/** Previews may only read; only the updates of `main` may change the stacks. */
const PREVIEW_ROLE = /^\$\{\{\s*vars\.AWS_PREVIEW_ROLE_ARN\s*\}\}$/;
const DEPLOY_ROLE = /^\$\{\{\s*vars\.AWS_DEPLOY_ROLE_ARN\s*\}\}$/;

interface TrustPolicy {
  Statement: { Condition?: Record<string, Record<string, string | string[]>> }[];
}

/** The OIDC `sub` values a trust policy accepts, sorted. */
function trustedSubjects(policy: TrustPolicy): string[] {
  return policy.Statement.flatMap((statement) =>
    Object.values(statement.Condition ?? {}).flatMap((test) =>
      ([] as string[]).concat(test["token.actions.githubusercontent.com:sub"] ?? []),
    ),
  ).sort();
}

interface PulumiRun {
  run: JobRun;
  step: Step;
  command: string;
  stack: string;
}

/** Every `pulumi/actions` step that runs a command, with its job run. */
function pulumiRuns(files: DeliveryFiles, file: string, command: string): PulumiRun[] {
  return allJobRuns(files, file).flatMap((run) =>
    stepsUsing(run, PULUMI)
      .filter((step) => step.with?.command === command)
      .map((step) => ({ run, step, command, stack: String(step.with?.["stack-name"]) })),
  );
}

function theUpOf(files: DeliveryFiles, stack: string): PulumiRun {
  const ups = pulumiRuns(files, DEPLOY, "up").filter((u) => u.stack === stack);
  assert.equal(ups.length, 1, `expected one \`pulumi up\` of ${stack} in ${DEPLOY}`);
  return ups[0];
}

const isTrue = (v: unknown): boolean => v === true || v === "true";
const isRunOf = (step: Step, command: string): boolean =>
  (step.run ?? "").split("\n").some((line) => line.trim().startsWith(command));

/** The jobs of a workflow that run `npm test`. */
function testJobs(files: DeliveryFiles, file: string): string[] {
  return allJobRuns(files, file)
    .filter((r) => r.steps.some((s) => isRunOf(s, "npm test")))
    .map((r) => r.jobId);
}

/** `${{ vars.NAME }}` or `${{ secrets.NAME }}`, exactly. */
const REPOSITORY_SETTING = /^\$\{\{\s*(vars|secrets)\.[A-Z][A-Z0-9_]*\s*\}\}$/;

function grantsWrite(permissions: Workflow["permissions"]): string[] {
  if (permissions === undefined) return ["(unset: the repository default, possibly write-all)"];
  if (typeof permissions === "string") return permissions === "write-all" ? ["write-all"] : [];
  return Object.entries(permissions)
    .filter(([, level]) => level === "write")
    .map(([scope]) => scope);
}

interface Rule {
  title: string;
  check(files: DeliveryFiles): void;
  /** Copies broken the way the rule guards against; the check must fail on each. */
  broken: Record<string, (files: DeliveryFiles) => DeliveryFiles>;
}

const rules: Rule[] = [
  {
    title: "every pull request triggers the pull-request workflow, unfiltered",
    check(files) {
      const on = workflow(files, PULL_REQUEST).on;
      assert.ok(typeof on === "object" && !Array.isArray(on), "`on` is not a mapping");
      assert.ok("pull_request" in on, "no pull_request trigger");
      const filters = Object.keys(on.pull_request ?? {});
      for (const filter of ["branches", "branches-ignore", "paths", "paths-ignore", "types"]) {
        assert.ok(!filters.includes(filter), `pull_request is filtered by ${filter}`);
      }
    },
    broken: {
      "limited to some branches": (f) =>
        withText(f, PULL_REQUEST, "  pull_request:\n", "  pull_request:\n    branches: [main]\n"),
      "no pull_request trigger": (f) => withText(f, PULL_REQUEST, "  pull_request:\n", "  push:\n"),
    },
  },
  {
    title:
      "pull requests run `npm test` on a fresh runner: checkout, Node 24 with the npm cache, npm ci, /usr/bin/chromium, npm test",
    check(files) {
      const jobs = testJobs(files, PULL_REQUEST);
      assert.equal(jobs.length, 1, "expected one job running `npm test`");
      const [run] = allJobRuns(files, PULL_REQUEST).filter((r) => r.jobId === jobs[0]);
      const inOrder: [string, (s: Step) => boolean][] = [
        ["actions/checkout", (s) => actionName(s.uses ?? "") === "actions/checkout"],
        [
          "actions/setup-node with node-version 24 and cache npm",
          (s) =>
            actionName(s.uses ?? "") === "actions/setup-node" &&
            String(s.with?.["node-version"]) === NODE_MAJOR &&
            s.with?.cache === "npm",
        ],
        ["npm ci", (s) => isRunOf(s, "npm ci")],
        ["a step providing /usr/bin/chromium", (s) => (s.run ?? "").includes("/usr/bin/chromium")],
        ["npm test", (s) => isRunOf(s, "npm test")],
      ];
      let at = 0;
      for (const [what, matches] of inOrder) {
        const found = run.steps.slice(at).findIndex(matches);
        assert.ok(found >= 0, `${jobs[0]}: ${what} is missing or out of order`);
        at += found + 1;
      }
    },
    broken: {
      "npm test removed": (f) => withText(f, TEST, "      - run: npm test\n", ""),
      "Node 22": (f) => withText(f, TEST, "node-version: 24", "node-version: 22"),
      "no npm cache": (f) => withText(f, TEST, "          cache: npm\n", ""),
      "no chromium": (f) =>
        withYaml<Workflow>(f, TEST, (wf) => {
          const job = wf.jobs["npm-test"];
          job.steps = job.steps?.filter((s) => s.name !== "Provide /usr/bin/chromium");
        }),
    },
  },
  {
    title:
      "after the tests pass, dev and prod are each previewed with the policy pack and the preview is commented on the pull request",
    check(files) {
      const wf = workflow(files, PULL_REQUEST);
      const previews = pulumiRuns(files, PULL_REQUEST, "preview");
      assert.deepEqual(previews.map((p) => p.stack).sort(), STACKS, "stacks previewed");
      const tests = testJobs(files, PULL_REQUEST);
      for (const { run, step, stack } of previews) {
        const packs = String(step.with?.policyPacks ?? "").split(/[\s,]+/);
        assert.ok(packs.includes("policy"), `${stack}: preview without policyPacks: policy`);
        assert.ok(isTrue(step.with?.["comment-on-pr"]), `${stack}: no comment-on-pr: true`);
        assert.ok(
          needsOf(run.job).some((n) => tests.includes(n)),
          `${stack}: the preview does not need the job running npm test`,
        );
        const permissions = effectivePermissions(wf, run.job);
        assert.ok(
          typeof permissions === "object" && permissions["pull-requests"] === "write",
          `${stack}: the preview job cannot comment (pull-requests: write)`,
        );
      }
    },
    broken: {
      "only dev": (f) => withText(f, PULL_REQUEST, "stack: [dev, prod]", "stack: [dev]"),
      "no policy pack": (f) => withText(f, PULL_REQUEST, "policyPacks: policy", "policyPacks: ''"),
      "no comment": (f) => withText(f, PULL_REQUEST, "comment-on-pr: true", "comment-on-pr: false"),
      "not after the tests": (f) => withText(f, PULL_REQUEST, "    needs: test\n", ""),
      "cannot comment": (f) =>
        withText(f, PULL_REQUEST, "      pull-requests: write", "      pull-requests: read"),
    },
  },
  {
    title: "deploys run on pushes to main, and only there",
    check(files) {
      const on = workflow(files, DEPLOY).on;
      assert.ok(typeof on === "object" && !Array.isArray(on), "`on` is not a mapping");
      assert.deepEqual(Object.keys(on), ["push"], "deploy triggers");
      assert.deepEqual(on.push?.branches, ["main"], "push branches");
    },
    broken: {
      "other branches": (f) => withText(f, DEPLOY, "branches: [main]", "branches: [main, develop]"),
      "pull requests": (f) => withText(f, DEPLOY, "\non:\n", "\non:\n  pull_request:\n"),
    },
  },
  {
    title: "main is tested, then dev is updated, then prod — only after dev succeeded",
    check(files) {
      const dev = theUpOf(files, "dev");
      const prod = theUpOf(files, "prod");
      const tests = testJobs(files, DEPLOY);
      assert.ok(
        needsOf(dev.run.job).some((n) => tests.includes(n)),
        "the dev update does not need the job running npm test",
      );
      assert.ok(
        needsOf(prod.run.job).includes(dev.run.jobId),
        "the prod update does not need dev's",
      );
      assert.ok(
        !/always\(\)|failure\(\)|cancelled\(\)/.test(prod.run.job.if ?? ""),
        `the prod update may run although dev failed: if: ${prod.run.job.if}`,
      );
      for (const up of [dev, prod]) {
        const packs = String(up.step.with?.policyPacks ?? "").split(/[\s,]+/);
        assert.ok(packs.includes("policy"), `${up.stack}: up without policyPacks: policy`);
      }
    },
    broken: {
      "prod beside dev": (f) => withText(f, DEPLOY, "    needs: up-dev\n", "    needs: test\n"),
      "prod even if dev failed": (f) =>
        withText(f, DEPLOY, "    needs: up-dev\n", "    needs: up-dev\n    if: always()\n"),
      "dev untested": (f) =>
        withYaml<Workflow>(f, DEPLOY, (wf) => {
          delete wf.jobs["up-dev"].needs;
        }),
      "no prod": (f) =>
        withYaml<Workflow>(f, DEPLOY, (wf) => {
          delete wf.jobs["up-prod"];
        }),
    },
  },
  {
    title:
      "prod is updated in the `production` environment, which holds it for approval; dev is not",
    check(files) {
      const prod = environmentName(theUpOf(files, "prod").run.job);
      assert.equal(prod, "production", "the prod update's environment");
      const dev = environmentName(theUpOf(files, "dev").run.job);
      assert.notEqual(dev, "production", "the dev update waits for production's approval");
    },
    broken: {
      "no environment": (f) =>
        withYaml<Workflow>(f, DEPLOY, (wf) => {
          delete wf.jobs["up-prod"].environment;
        }),
      "another environment": (f) => withText(f, DEPLOY, "name: production", "name: prod"),
    },
  },
  {
    title: "each stack is updated by one run at a time, and an update is never cancelled",
    check(files) {
      const wf = workflow(files, DEPLOY);
      const groups = STACKS.map((stack) => {
        const { job } = theUpOf(files, stack).run;
        const concurrency = job.concurrency;
        assert.ok(
          typeof concurrency === "object" && concurrency !== null,
          `${stack}: no concurrency group with cancel-in-progress`,
        );
        assert.ok(concurrency.group.includes(stack), `${stack}: group ${concurrency.group}`);
        assert.equal(concurrency["cancel-in-progress"], false, `${stack}: cancel-in-progress`);
        return concurrency.group;
      });
      assert.equal(new Set(groups).size, groups.length, "stacks share a concurrency group");
      const top = wf.concurrency;
      assert.ok(
        top === undefined || (typeof top === "object" && top["cancel-in-progress"] === false),
        "the deploy workflow may cancel a run in progress",
      );
    },
    broken: {
      "cancelled by a newer push": (f) =>
        withYaml<Workflow>(f, DEPLOY, (wf) => {
          wf.jobs["up-prod"].concurrency = { group: "pulumi-up-prod", "cancel-in-progress": true };
        }),
      "no group": (f) =>
        withYaml<Workflow>(f, DEPLOY, (wf) => {
          delete wf.jobs["up-dev"].concurrency;
        }),
      "one group for both": (f) =>
        withYaml<Workflow>(f, DEPLOY, (wf) => {
          for (const id of ["up-dev", "up-prod"]) {
            wf.jobs[id].concurrency = { group: "pulumi-dev-prod", "cancel-in-progress": false };
          }
        }),
      "workflow cancels": (f) =>
        withText(
          f,
          DEPLOY,
          "\njobs:\n",
          "\nconcurrency:\n  group: deploy\n  cancel-in-progress: true\n\njobs:\n",
        ),
    },
  },
  {
    title:
      "AWS credentials come from OIDC: a role named by a repository variable or secret, id-token: write, no access keys anywhere",
    check(files) {
      let assumed = 0;
      for (const file of workflowFiles(files)) {
        const wf = workflow(files, file);
        for (const run of allJobRuns(files, file)) {
          const steps = stepsUsing(run, AWS_CREDENTIALS);
          const pulumi = run.steps.findIndex((s) => actionName(s.uses ?? "") === PULUMI);
          if (pulumi >= 0 && run.steps[pulumi].with?.command !== undefined) {
            const aws = run.steps.findIndex((s) => actionName(s.uses ?? "") === AWS_CREDENTIALS);
            assert.ok(
              aws >= 0 && aws < pulumi,
              `${file} ${run.jobId}: Pulumi runs without the AWS role`,
            );
          }
          for (const step of steps) {
            assumed++;
            const role = String(step.with?.["role-to-assume"] ?? "");
            assert.match(role, REPOSITORY_SETTING, `${file} ${run.jobId}: role-to-assume`);
            const permissions = effectivePermissions(wf, run.job);
            assert.ok(
              typeof permissions === "object" && permissions["id-token"] === "write",
              `${file} ${run.jobId}: assumes a role without id-token: write`,
            );
          }
        }
      }
      assert.ok(assumed > 0, "no job assumes an AWS role");
      for (const [file, content] of files) {
        if (!file.startsWith(".github/")) continue;
        assert.doesNotMatch(
          content,
          /aws-access-key-id|aws-secret-access-key|aws-session-token|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/i,
          `${file} passes long-lived AWS keys`,
        );
      }
    },
    broken: {
      "no id-token": (f) =>
        withYaml<Workflow>(f, DEPLOY, (wf) => {
          wf.jobs["up-prod"].permissions = { contents: "read" };
        }),
      "access keys": (f) =>
        withText(
          f,
          PREPARE,
          "        role-to-assume:",
          "        aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n        role-to-assume:",
        ),
      "hard-coded role": (f) =>
        withYaml<Workflow>(f, DEPLOY, (wf) => {
          const prepare = wf.jobs["up-dev"].steps?.find((s) => s.uses?.startsWith("./"));
          assert.ok(prepare?.with);
          prepare.with["role-to-assume"] = "arn:aws:iam::123456789012:role/deploy";
        }),
      "Pulumi before the role": (f) =>
        withYaml<Workflow>(f, DEPLOY, (wf) => {
          wf.jobs["up-dev"].steps?.reverse();
        }),
    },
  },
  {
    title:
      "permissions are read-only by default; a job gets id-token or pull-requests write only where it uses them",
    check(files) {
      for (const file of workflowFiles(files)) {
        const wf = workflow(files, file);
        assert.deepEqual(grantsWrite(wf.permissions), [], `${file}: workflow-level permissions`);
        for (const run of allJobRuns(files, file)) {
          const assumesRole = stepsUsing(run, AWS_CREDENTIALS).length > 0;
          const comments = stepsUsing(run, PULUMI).some((s) => isTrue(s.with?.["comment-on-pr"]));
          for (const scope of grantsWrite(effectivePermissions(wf, run.job))) {
            const needed =
              (scope === "id-token" && assumesRole) || (scope === "pull-requests" && comments);
            assert.ok(needed, `${file} ${run.jobId}: ${scope}: write is not needed`);
          }
        }
      }
    },
    broken: {
      "write by default": (f) =>
        withText(f, DEPLOY, "  contents: read\n\njobs:", "  contents: write\n\njobs:"),
      "repository default": (f) =>
        withYaml<Workflow>(f, PULL_REQUEST, (wf) => {
          delete wf.permissions;
        }),
      "comment rights without a comment": (f) =>
        withYaml<Workflow>(f, DEPLOY, (wf) => {
          wf.jobs["up-dev"].permissions = {
            contents: "read",
            "id-token": "write",
            "pull-requests": "write",
          };
        }),
      "a token for the tests": (f) =>
        withYaml<Workflow>(f, TEST, (wf) => {
          wf.jobs["npm-test"].permissions = { contents: "read", "id-token": "write" };
        }),
    },
  },
  {
    title: "every action is pinned to a full commit SHA, with its release in a comment",
    check(files) {
      const pinned = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/;
      let seen = 0;
      for (const [file, content] of files) {
        if (!file.startsWith(".github/")) continue;
        const doc = load(content) as { jobs?: Record<string, Job>; runs?: { steps?: Step[] } };
        const uses = [
          ...Object.values(doc.jobs ?? {}).flatMap((job) => [
            ...(job.uses ? [job.uses] : []),
            ...(job.steps ?? []).flatMap((s) => (s.uses ? [s.uses] : [])),
          ]),
          ...(doc.runs?.steps ?? []).flatMap((s) => (s.uses ? [s.uses] : [])),
        ];
        const lines = content.split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l));
        assert.equal(lines.length, uses.length, `${file}: a \`uses:\` the parser did not see`);
        for (const ref of uses.filter((u) => !u.startsWith("./"))) {
          seen++;
          assert.match(ref, pinned, `${file}: ${ref} is not pinned to a commit`);
          const line = lines.find((l) => l.includes(ref)) ?? "";
          assert.match(line, /#\s*v\d+\.\d+\.\d+\s*$/, `${file}: ${ref} has no # vX.Y.Z comment`);
        }
      }
      assert.ok(seen > 0, "no action references found");
    },
    broken: {
      "a moving major tag": (f) =>
        withText(
          f,
          TEST,
          "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
          "actions/checkout@v7",
        ),
      "a SHA without its version": (f) => withText(f, TEST, " # v7.0.1", ""),
      "an exact release tag": (f) =>
        withText(
          f,
          DEPLOY,
          "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0",
          "pulumi/actions@v7.0.0",
        ),
      "a short SHA": (f) =>
        withText(
          f,
          PREPARE,
          "configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c",
          "configure-aws-credentials@e6de054",
        ),
      "a branch": (f) =>
        withText(
          f,
          DEPLOY,
          "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0",
          "pulumi/actions@main",
        ),
      "a flow-style step": (f) =>
        withText(
          f,
          TEST,
          "      - run: npm test\n",
          "      - { uses: actions/cache@v4 }\n      - run: npm test\n",
        ),
    },
  },
  {
    title: "every job sets up Node.js 24",
    check(files) {
      let seen = 0;
      for (const file of workflowFiles(files)) {
        for (const run of allJobRuns(files, file)) {
          for (const step of stepsUsing(run, "actions/setup-node")) {
            seen++;
            const version = String(step.with?.["node-version"]);
            assert.equal(version, NODE_MAJOR, `${file} ${run.jobId}: node-version ${version}`);
          }
        }
      }
      assert.ok(seen > 0, "no job sets up Node.js");
    },
    broken: {
      "Node 20 for Pulumi": (f) => withText(f, PREPARE, "node-version: 24", "node-version: 20"),
      "Node 20 for the tests": (f) => withText(f, TEST, "node-version: 24", "node-version: 20"),
    },
  },
  {
    title: "every Pulumi step installs the CLI version committed in .pulumi-version",
    check(files) {
      const version = text(files, PULUMI_VERSION_FILE).trim();
      assert.match(version, /^3\.\d+\.\d+$/, `${PULUMI_VERSION_FILE}: ${version}`);
      const runs = [
        ...pulumiRuns(files, PULL_REQUEST, "preview"),
        ...pulumiRuns(files, DEPLOY, "up"),
      ];
      assert.equal(runs.length, 4, "two previews and two updates");
      for (const { run, step, stack } of runs) {
        const where = `${run.workflow} ${run.jobId} (${stack})`;
        assert.equal(step.with?.["pulumi-version-file"], PULUMI_VERSION_FILE, where);
        assert.equal(step.with?.["pulumi-version"], undefined, `${where}: both version inputs`);
      }
    },
    broken: {
      "no version file": (f) => {
        const copy = new Map(f);
        copy.delete(PULUMI_VERSION_FILE);
        return copy;
      },
      "a version range": (f) => new Map(f).set(PULUMI_VERSION_FILE, "^3\n"),
      "the newest CLI for prod": (f) =>
        withYaml<Workflow>(f, DEPLOY, (wf) => {
          const up = wf.jobs["up-prod"].steps?.find((s) => s.uses?.startsWith(PULUMI));
          delete up?.with?.["pulumi-version-file"];
        }),
    },
  },
  {
    title: "previews assume the read-only preview role; only the updates assume the deploy role",
    check(files) {
      const runs = [
        ...pulumiRuns(files, PULL_REQUEST, "preview"),
        ...pulumiRuns(files, DEPLOY, "up"),
      ];
      for (const { run, command, stack } of runs) {
        const roles = stepsUsing(run, AWS_CREDENTIALS).map((s) =>
          String(s.with?.["role-to-assume"]),
        );
        assert.equal(roles.length, 1, `${run.workflow} ${run.jobId}: one AWS role`);
        const expected = command === "preview" ? PREVIEW_ROLE : DEPLOY_ROLE;
        assert.match(roles[0], expected, `${command} of ${stack} assumes ${roles[0]}`);
      }
    },
    broken: {
      "previews with the deploy role": (f) =>
        withText(f, PULL_REQUEST, "vars.AWS_PREVIEW_ROLE_ARN", "vars.AWS_DEPLOY_ROLE_ARN"),
      "prod with the preview role": (f) =>
        withYaml<Workflow>(f, DEPLOY, (wf) => {
          const prepare = wf.jobs["up-prod"].steps?.find((s) => s.uses?.startsWith("./"));
          assert.ok(prepare?.with);
          prepare.with["role-to-assume"] = "${{ vars.AWS_PREVIEW_ROLE_ARN }}";
        }),
    },
  },
  {
    title:
      "the README shows both roles' trust policies: previews only for pull requests, updates only for main and production",
    check(files) {
      const policies = [...deliverySection(files).matchAll(/```json\n([\s\S]*?)```/g)].map(
        (m) => JSON.parse(m[1]) as TrustPolicy,
      );
      const subjects = policies.map(trustedSubjects).filter((s) => s.length > 0);
      const repo = "repo:<owner>/<repo>";
      assert.deepEqual(
        subjects.map((s) => s.join(" ")).sort(),
        [`${repo}:environment:production ${repo}:ref:refs/heads/main`, `${repo}:pull_request`],
        "the trust policies' OIDC subjects",
      );
    },
    broken: {
      "any ref of the repository": (f) =>
        withText(f, "README.md", '"repo:<owner>/<repo>:pull_request"', '"repo:<owner>/<repo>:*"'),
      "one role for all": (f) => withText(f, "README.md", "```json\n", "```text\n"),
    },
  },
  {
    title: "every job that runs steps has a timeout",
    check(files) {
      for (const file of workflowFiles(files)) {
        for (const [id, job] of Object.entries(workflow(files, file).jobs)) {
          if (!job.steps) continue;
          const minutes = job["timeout-minutes"];
          assert.ok(
            typeof minutes === "number" && minutes > 0 && minutes <= 60,
            `${file} ${id}: timeout-minutes ${minutes}`,
          );
        }
      }
    },
    broken: {
      "no timeout": (f) =>
        withYaml<Workflow>(f, DEPLOY, (wf) => {
          delete wf.jobs["up-prod"]["timeout-minutes"];
        }),
      "a six-hour timeout": (f) => withText(f, TEST, "timeout-minutes: 30", "timeout-minutes: 360"),
    },
  },
  {
    title:
      "Pulumi reaches its backend through PULUMI_BACKEND_URL (variable) or PULUMI_ACCESS_TOKEN (secret), and PULUMI_CONFIG_PASSPHRASE (secret)",
    check(files) {
      const runs = [
        ...pulumiRuns(files, PULL_REQUEST, "preview"),
        ...pulumiRuns(files, DEPLOY, "up"),
      ];
      assert.equal(runs.length, 4, "two previews and two updates");
      for (const { run, step, stack } of runs) {
        const where = `${run.workflow} ${run.jobId} (${stack})`;
        assert.match(
          String(step.with?.["cloud-url"]),
          /^\$\{\{\s*vars\.PULUMI_BACKEND_URL\s*\}\}$/,
          where,
        );
        assert.match(
          String(step.env?.PULUMI_ACCESS_TOKEN),
          /^\$\{\{\s*secrets\.PULUMI_ACCESS_TOKEN\s*\}\}$/,
          where,
        );
        assert.match(
          String(step.env?.PULUMI_CONFIG_PASSPHRASE),
          /^\$\{\{\s*secrets\.PULUMI_CONFIG_PASSPHRASE\s*\}\}$/,
          where,
        );
      }
    },
    broken: {
      "no token": (f) =>
        withYaml<Workflow>(f, DEPLOY, (wf) => {
          const up = wf.jobs["up-dev"].steps?.find((s) => s.uses?.startsWith(PULUMI));
          delete up?.env?.PULUMI_ACCESS_TOKEN;
        }),
      "a hard-coded backend": (f) =>
        withText(
          f,
          PULL_REQUEST,
          "cloud-url: ${{ vars.PULUMI_BACKEND_URL }}",
          "cloud-url: s3://state",
        ),
      "the passphrase in a variable": (f) =>
        withText(
          f,
          DEPLOY,
          "PULUMI_CONFIG_PASSPHRASE: ${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
          "PULUMI_CONFIG_PASSPHRASE: ${{ vars.PULUMI_CONFIG_PASSPHRASE }}",
        ),
    },
  },
  {
    title:
      "the README's Delivery section names every variable and secret the workflows read, the OIDC trust and the production approval",
    check(files) {
      const section = deliverySection(files);
      const names = new Set<string>();
      for (const [file, content] of files) {
        if (!file.startsWith(".github/")) continue;
        for (const m of content.matchAll(/\$\{\{[^}]*?\b(vars|secrets)\.([A-Za-z0-9_]+)/g)) {
          if (m[2] !== "GITHUB_TOKEN") names.add(m[2]);
        }
      }
      assert.ok(names.size > 0, "the workflows read no repository settings");
      for (const name of names) {
        assert.ok(section.includes(`\`${name}\``), `README Delivery does not list \`${name}\``);
      }
      assert.match(
        section,
        /token\.actions\.githubusercontent\.com:sub/,
        "no OIDC trust condition",
      );
      assert.match(
        section,
        /"repo:<owner>\/<repo>:pull_request"/,
        "the trust is not scoped to the repository",
      );
      assert.match(
        section,
        /`production`[^\n]*\n?[^\n]*required reviewers/i,
        "no production approval",
      );
      assert.ok(
        section.includes("npm run plan -- --stack dev --update") &&
          section.includes("npm run plan -- --stack prod --update"),
        "no way to update the plan snapshots",
      );
    },
    broken: {
      "an unlisted variable": (f) =>
        withText(
          f,
          DEPLOY,
          "stack-name: prod\n",
          "stack-name: prod\n          work-dir: ${{ vars.WORK_DIR }}\n",
        ),
      "no approval described": (f) => withText(f, "README.md", "required reviewers", "reviewers"),
      "no Delivery section": (f) => withText(f, "README.md", "## Delivery", "## Shipping"),
    },
  },
];

describe("delivery workflows", () => {
  const files = readDeliveryFiles();

  it("the pull-request, deploy and test workflows exist", () => {
    for (const file of [PULL_REQUEST, DEPLOY, TEST])
      assert.ok(files.has(file), `${file} is missing`);
    assert.ok(text(files, PREPARE).length > 0);
  });

  for (const rule of rules) {
    describe(rule.title, () => {
      it("holds for the committed workflows", () => rule.check(files));
      for (const [how, breakIt] of Object.entries(rule.broken)) {
        it(`fails on a copy with ${how}`, () => {
          const broken = breakIt(files);
          assert.throws(() => rule.check(broken), assert.AssertionError);
        });
      }
    });
  }
});
