// Small, deliberate changes to a recorded stack: the failing cases of the policy tests are the real
// program's graph with one thing broken, so each case shows a rule firing on exactly that thing.
import type { RecordedResource, RecordedStack } from "../harness/graph";

type Inputs = Record<string, unknown>;

export class GraphEdit {
  readonly recorded: RecordedStack;

  constructor(recorded: RecordedStack) {
    this.recorded = structuredClone(recorded);
  }

  find(type: string, name: string): RecordedResource {
    const found = this.recorded.resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`${this.recorded.stack}: no ${type} named ${name}`);
    return found;
  }

  /** Changes a resource's inputs; its outputs follow, as the provider would echo them. */
  change(type: string, name: string, change: (inputs: Inputs) => void): this {
    const resource = this.find(type, name);
    const computed = Object.fromEntries(
      Object.entries(resource.state).filter(([k]) => !(k in resource.inputs)),
    );
    change(resource.inputs);
    resource.state = { ...computed, ...structuredClone(resource.inputs) };
    return this;
  }

  /** Changes the IAM policy document a resource holds in `key`. */
  changeDocument(
    type: string,
    name: string,
    change: (statements: Inputs[]) => void,
    key = "policy",
  ) {
    return this.change(type, name, (inputs) => {
      const raw = inputs[key];
      const document = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Statement: Inputs[] };
      change(document.Statement);
      inputs[key] = document;
    });
  }

  protect(type: string, name: string, protect: boolean): this {
    this.find(type, name).protect = protect;
    return this;
  }

  remove(type: string, name: string): this {
    const resource = this.find(type, name);
    const key = `${type}::${name}`;
    this.recorded.resources = this.recorded.resources.filter((r) => r !== resource);
    for (const r of this.recorded.resources) r.dependsOn = r.dependsOn.filter((d) => d !== key);
    return this;
  }

  /** A new custom resource beside an existing one: same parent, same provider. */
  add(type: string, name: string, inputs: Inputs, beside: RecordedResource): this {
    this.recorded.resources.push({
      type,
      name,
      custom: true,
      id: `${name}-id`,
      parent: beside.parent,
      provider: beside.provider,
      protect: false,
      deleteBeforeReplace: false,
      dependsOn: [],
      inputs,
      state: { ...inputs },
    });
    return this;
  }
}
