// What `npm start` reads back from the recorded program, beyond what the local stack's own tests
// exercise end to end.
import * as assert from "node:assert/strict";
import { buildModel } from "../../local/model";
import { STACKS, stackGraph } from "../harness/graph";

describe("the local model of a recorded stack", function () {
  this.timeout(120_000);

  for (const stack of STACKS) {
    it(`gives the ${stack} gateway the stage's throttle from its method settings`, async () => {
      const graph = await stackGraph(stack);
      assert.deepEqual(buildModel(graph.recorded).api.throttle, {
        rateLimit: Number(graph.config("serverless-notes:throttleRateLimit")),
        burstLimit: Number(graph.config("serverless-notes:throttleBurstLimit")),
      });
    });
  }
});
