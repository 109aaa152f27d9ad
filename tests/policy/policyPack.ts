// The policy pack, started the way the Pulumi CLI starts it and spoken to the way the engine
// speaks to it. The CLI runs `@pulumi/pulumi/cmd/run-policy-pack` in the pack's folder (resolved
// from there, so the repository's node_modules serve), which compiles `policy/` with ts-node,
// runs `new PolicyPack(...)` and prints the port of the pack's gRPC analyzer; the engine then calls
// Analyze on each resource's inputs and AnalyzeStack on all outputs. Here too: nothing about the
// pack is imported or re-implemented, so the library's own deserialisation, unknown-value proxies,
// type filters and enforcement levels decide, exactly as under `pulumi preview --policy-pack policy`.
import { ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { EngineResource } from "./engineView";

const POLICY_DIR = path.join(__dirname, "..", "..", "policy");

// The gRPC library the generated client was built with, wherever npm placed it.
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
const grpc = fromPulumi("@grpc/grpc-js") as typeof grpcTypes;

export interface Diagnostic {
  policyName: string;
  message: string;
  urn: string;
  enforcementLevel: "advisory" | "mandatory" | "disabled" | "remediate";
}

const LEVELS: Record<number, Diagnostic["enforcementLevel"]> = {
  [analyzer.EnforcementLevel.ADVISORY]: "advisory",
  [analyzer.EnforcementLevel.MANDATORY]: "mandatory",
  [analyzer.EnforcementLevel.DISABLED]: "disabled",
  [analyzer.EnforcementLevel.REMEDIATE]: "remediate",
};

/** JSON as a protobuf Struct; `undefined` dropped as the engine drops it. */
const struct = (value: Record<string, unknown>) =>
  Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));

function options(r: EngineResource): analyzer.AnalyzerResourceOptions {
  const opts = new analyzer.AnalyzerResourceOptions();
  opts.setProtect(r.protect);
  if (r.parent) opts.setParent(r.parent);
  return opts;
}

function provider(r: EngineResource): analyzer.AnalyzerProviderResource | undefined {
  if (!r.provider) return undefined;
  const p = new analyzer.AnalyzerProviderResource();
  p.setUrn(r.provider.urn);
  p.setType(r.provider.type);
  p.setName(r.provider.name);
  p.setProperties(struct(r.provider.inputs));
  return p;
}

function diagnostics(response: analyzer.AnalyzeResponse, urn?: string): Diagnostic[] {
  return response.getDiagnosticsList().map((d) => ({
    policyName: d.getPolicyname(),
    message: d.getMessage(),
    urn: d.getUrn() || urn || "",
    enforcementLevel: LEVELS[d.getEnforcementlevel()],
  }));
}

export class PolicyPackProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: AnalyzerClient,
  ) {}

  static async start(): Promise<PolicyPackProcess> {
    const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", {
      paths: [POLICY_DIR],
    });
    // The first argument is the engine's address, which a policy pack never calls.
    const child = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", "."], {
      cwd: POLICY_DIR,
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    process.once("exit", () => child.kill());
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += String(d)));
    const port = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      child.stdout!.on("data", (d) => {
        stdout += String(d);
        const line = /^(\d+)\s*$/m.exec(stdout);
        if (line) resolve(line[1]);
      });
      child.once("exit", (code) =>
        reject(new Error(`the policy pack exited with ${code} before serving:\n${stderr}`)),
      );
    });
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PolicyPackProcess(child, client);
  }

  private call<Res>(
    invoke: (done: (err: grpcTypes.ServiceError | null, res: Res) => void) => unknown,
  ): Promise<Res> {
    return new Promise((resolve, reject) =>
      invoke((err, res) => (err ? reject(err) : resolve(res))),
    );
  }

  /** The policies the pack serves, with their enforcement levels. */
  async policies(): Promise<{ name: string; enforcementLevel: string }[]> {
    const info = await this.call<analyzer.AnalyzerInfo>((done) =>
      this.client.getAnalyzerInfo(new Empty(), done),
    );
    return info.getPoliciesList().map((p) => ({
      name: p.getName(),
      enforcementLevel: LEVELS[p.getEnforcementlevel()],
    }));
  }

  /** Policy config as `--policy-pack-config` gives it: per policy, its properties. */
  async configure(config: Record<string, Record<string, unknown>>): Promise<void> {
    const request = new analyzer.ConfigureAnalyzerRequest();
    for (const [policy, properties] of Object.entries(config)) {
      const entry = new analyzer.PolicyConfig();
      entry.setEnforcementlevel(analyzer.EnforcementLevel.MANDATORY);
      entry.setProperties(struct(properties));
      request.getPolicyconfigMap().set(policy, entry);
    }
    await this.call<Empty>((done) => this.client.configure(request, done));
  }

  /** `Analyze`: one resource's inputs, before the engine creates or updates it. */
  async analyze(r: EngineResource): Promise<Diagnostic[]> {
    const request = new analyzer.AnalyzeRequest();
    request.setUrn(r.urn);
    request.setType(r.type);
    request.setName(r.name);
    request.setProperties(struct(r.inputs));
    request.setOptions(options(r));
    request.setProvider(provider(r));
    return diagnostics(
      await this.call<analyzer.AnalyzeResponse>((done) => this.client.analyze(request, done)),
      r.urn,
    );
  }

  /** `AnalyzeStack`: every resource's outputs, at the end of a preview or an update. */
  async analyzeStack(resources: EngineResource[]): Promise<Diagnostic[]> {
    const request = new analyzer.AnalyzeStackRequest();
    request.setResourcesList(
      resources.map((r) => {
        const resource = new analyzer.AnalyzerResource();
        resource.setUrn(r.urn);
        resource.setType(r.type);
        resource.setName(r.name);
        resource.setProperties(struct(r.outputs));
        resource.setOptions(options(r));
        resource.setProvider(provider(r));
        if (r.parent) resource.setParent(r.parent);
        resource.setDependenciesList(r.dependencies);
        for (const [key, urns] of Object.entries(r.propertyDependencies)) {
          const deps = new analyzer.AnalyzerPropertyDependencies();
          deps.setUrnsList(urns);
          resource.getPropertydependenciesMap().set(key, deps);
        }
        return resource;
      }),
    );
    return diagnostics(
      await this.call<analyzer.AnalyzeResponse>((done) => this.client.analyzeStack(request, done)),
    );
  }

  /** What a preview or an update reports: every resource analysed, then the whole stack. */
  async evaluate(resources: EngineResource[]): Promise<Diagnostic[]> {
    const perResource = await Promise.all(resources.map((r) => this.analyze(r)));
    return [...perResource.flat(), ...(await this.analyzeStack(resources))];
  }

  stop(): void {
    this.client.close();
    this.child.kill();
  }
}

let shared: Promise<PolicyPackProcess> | undefined;

/** One pack process for every policy test of the run. */
export function policyPack(): Promise<PolicyPackProcess> {
  shared ??= PolicyPackProcess.start();
  return shared;
}

// A root hook, registered when the first test file loads this module: the process and its gRPC
// channel would otherwise keep mocha from exiting.
if (typeof after === "function") {
  after(async () => (await shared?.catch(() => undefined))?.stop());
}
