// The resource monitor and engine services a Pulumi program talks to over gRPC, answered the way
// the CLI's engine answers them (pulumi/pulumi pkg/resource/deploy/source_eval.go resmon,
// deployment.go generateURN, default_providers.go, step_generator.go issueCheckFailures), with
// the AWS provider's Check applied to every custom resource before it is recorded, and AWS
// itself replaced by mockCloud: under `up` a registration answers what AWS would return; under
// preview it answers the checked inputs, so everything else stays unknown, as in a real preview.
import type * as grpcTypes from "@grpc/grpc-js";
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import { ResourceMonitorService } from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resourcePb from "@pulumi/pulumi/proto/resource_pb";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { RecordedResource } from "../local/recordStack";
import { fakeId, mockInvoke, mockState, MockCloud } from "./mockCloud";
import { providerCheck } from "./providerCheck";
import { fromWire, toWire, WireError } from "./wire";

// The gRPC library the generated services were built with, wherever npm placed it.
const grpc = createRequire(require.resolve("@pulumi/pulumi"))("@grpc/grpc-js") as typeof grpcTypes;

export interface Deployment {
  stack: string;
  project: string;
  /** The program's working directory: relative asset paths are its. */
  pwd: string;
  dryRun: boolean;
  cloud: MockCloud;
  /** `pulumi:disable-default-providers`: packages whose resources need an explicit provider. */
  disabledDefaultProviders: string[];
}

export interface Diagnostic {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn?: string;
}

const SEVERITY: Record<number, Diagnostic["severity"]> = {
  [enginePb.LogSeverity.DEBUG]: "debug",
  [enginePb.LogSeverity.INFO]: "info",
  [enginePb.LogSeverity.WARNING]: "warning",
  [enginePb.LogSeverity.ERROR]: "error",
};

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
const json = (value: unknown) => JSON.parse(JSON.stringify(value ?? {})) as Record<string, unknown>;
type Callback<T> = grpcTypes.sendUnaryData<T>;

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>` → `type::name`, the recording's key. */
export function keyOfUrn(urn: string): string {
  const [, , qualifiedType, ...name] = urn.split("::");
  return `${qualifiedType.split("$").pop()}::${name.join("::")}`;
}

export class Monitor {
  readonly resources: RecordedResource[] = [];
  readonly diagnostics: Diagnostic[] = [];
  outputs: Record<string, unknown> = {};
  private readonly types = new Map<string, string>();
  private rootUrn = "";
  private server?: grpcTypes.Server;

  constructor(private readonly deployment: Deployment) {}

  /** Starts both services on a free loopback port and returns the address. */
  async listen(): Promise<string> {
    // As large as the CLI allows (rpcutil: 400 MiB), for archives inlined in a registration.
    const limit = 400 * 1024 * 1024;
    const server = new grpc.Server({
      "grpc.max_receive_message_length": limit,
      "grpc.max_send_message_length": limit,
    });
    server.addService(ResourceMonitorService, this.monitorService());
    server.addService(EngineService, this.engineService());
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    this.server = server;
    return `127.0.0.1:${port}`;
  }

  close(): void {
    this.server?.forceShutdown();
  }

  /** Every error the engine would print: check failures, refused registrations, program errors. */
  errors(): string[] {
    return this.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
  }

  private error(message: string, urn?: string): void {
    this.diagnostics.push({ severity: "error", message, urn });
  }

  private urnOf(parent: string, type: string, name: string): string {
    const { stack, project } = this.deployment;
    const parentType =
      parent && this.types.get(parent) !== ROOT_STACK_TYPE ? parent.split("::")[2] : "";
    const qualified = parentType ? `${parentType}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
  }

  private register(req: resourcePb.RegisterResourceRequest): resourcePb.RegisterResourceResponse {
    const type = req.getType();
    const name = req.getName();
    const custom = req.getCustom();
    const parent = req.getParent();
    const urn = this.urnOf(parent, type, name);
    if (this.types.has(urn)) {
      throw new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`);
    }
    this.types.set(urn, type);
    const pkg = type.split(":")[0];
    const isProvider = type.startsWith("pulumi:providers:");
    if (custom && !isProvider && !req.getProvider()) {
      if (this.deployment.disabledDefaultProviders.includes(pkg)) {
        this.error(
          `Default provider for '${pkg}' disabled. '${urn}' must use an explicit provider.`,
          urn,
        );
      }
    }

    let inputs: Record<string, unknown>;
    try {
      inputs = fromWire(req.getObject()?.toJavaScript() ?? {}, this.deployment.pwd) as Record<
        string,
        unknown
      >;
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      this.error(`${type} resource '${name}': ${err.message}`, urn);
      inputs = {};
    }
    if (custom && !isProvider) inputs = this.check(type, name, urn, inputs);

    const { id, state } = !custom
      ? { id: "", state: {} }
      : isProvider
        ? { id: fakeId(urn), state: inputs }
        : this.deployment.dryRun
          ? { id: "", state: inputs }
          : mockState(this.deployment.cloud, type, name, inputs);

    this.resources.push({
      type,
      name,
      custom,
      id: custom ? id || undefined : undefined,
      parent: parent && this.types.get(parent) !== ROOT_STACK_TYPE ? keyOfUrn(parent) : undefined,
      provider: req.getProvider() || undefined,
      protect: req.getProtect() === true,
      deleteBeforeReplace: req.getDeletebeforereplace(),
      // The engine's dependencies: explicit `dependsOn` and the resources inputs come from (the
      // SDK sends both as one list).
      dependsOn: [...new Set(req.getDependenciesList().map(keyOfUrn))],
      inputs,
      state: json(state),
    });

    const response = new resourcePb.RegisterResourceResponse();
    response.setUrn(urn);
    response.setId(id);
    response.setObject(Struct.fromJavaScript(json(toWire(state)) as never));
    return response;
  }

  /** The provider's Check: auto-names, then validation; each failure as the engine prints it. */
  private check(
    type: string,
    name: string,
    urn: string,
    inputs: Record<string, unknown>,
  ): Record<string, unknown> {
    // The provider's random suffix, made repeatable so recorded graphs compare across runs.
    const randomHex = (length: number) =>
      createHash("sha256").update(urn).digest("hex").slice(0, length);
    const result = providerCheck(type, name, inputs, randomHex);
    for (const failure of result.failures) {
      const message = failure.property
        ? `${type} resource '${name}': property ${failure.property} value {${String(
            result.inputs[failure.property] ?? "",
          )}} has a problem: ${failure.message}`
        : `${type} resource '${name}' has a problem: ${failure.message}`;
      this.error(message, urn);
    }
    return result.inputs;
  }

  private invoke(req: resourcePb.ResourceInvokeRequest): providerPb.InvokeResponse {
    const response = new providerPb.InvokeResponse();
    const pkg = req.getTok().split(":")[0];
    if (!req.getProvider() && this.deployment.disabledDefaultProviders.includes(pkg)) {
      this.error(
        `Default provider for '${pkg}' disabled. '${req.getTok()}' must use an explicit provider.`,
      );
    }
    response.setReturn(
      Struct.fromJavaScript(
        json(
          mockInvoke(
            this.deployment.cloud,
            req.getTok(),
            (req.getArgs()?.toJavaScript() ?? {}) as Record<string, unknown>,
          ),
        ) as never,
      ),
    );
    return response;
  }

  private monitorService(): grpcTypes.UntypedServiceImplementation {
    const answer =
      <Req, Res>(fn: (req: Req) => Res) =>
      (call: { request: Req }, callback: Callback<Res>) => {
        try {
          callback(null, fn(call.request));
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          this.error(message);
          callback({ code: grpc.status.INTERNAL, details: message }, null);
        }
      };
    return {
      supportsFeature: answer(() => {
        const response = new resourcePb.SupportsFeatureResponse();
        // The engine's resmon.supportsFeatureID answers true for every feature this SDK asks.
        response.setHassupport(true);
        return response;
      }),
      registerResource: answer((req: resourcePb.RegisterResourceRequest) => this.register(req)),
      registerResourceOutputs: answer((req: resourcePb.RegisterResourceOutputsRequest) => {
        if (req.getUrn() === this.rootUrn) {
          this.outputs = fromWire(
            req.getOutputs()?.toJavaScript() ?? {},
            this.deployment.pwd,
          ) as Record<string, unknown>;
        }
        return new Empty();
      }),
      invoke: answer((req: resourcePb.ResourceInvokeRequest) => this.invoke(req)),
      registerPackage: answer(() => {
        const response = new resourcePb.RegisterPackageResponse();
        response.setRef(fakeId(`package-${this.resources.length}`));
        return response;
      }),
      signalAndWaitForShutdown: answer(() => new Empty()),
    };
  }

  private engineService(): grpcTypes.UntypedServiceImplementation {
    return {
      log: (call: { request: enginePb.LogRequest }, callback: Callback<Empty>) => {
        const req = call.request;
        this.diagnostics.push({
          severity: SEVERITY[req.getSeverity()] ?? "info",
          message: req.getMessage(),
          urn: req.getUrn() || undefined,
        });
        callback(null, new Empty());
      },
      getRootResource: (_: unknown, callback: Callback<enginePb.GetRootResourceResponse>) => {
        const response = new enginePb.GetRootResourceResponse();
        response.setUrn(this.rootUrn);
        callback(null, response);
      },
      setRootResource: (
        call: { request: enginePb.SetRootResourceRequest },
        callback: Callback<enginePb.SetRootResourceResponse>,
      ) => {
        this.rootUrn = call.request.getUrn();
        callback(null, new enginePb.SetRootResourceResponse());
      },
    };
  }
}
