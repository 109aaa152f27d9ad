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

    it(`gives the ${stack} notes methods their authorizer's result cache TTL`, async () => {
      const { api } = buildModel((await stackGraph(stack)).recorded);
      const authorized = api.methods.filter((m) => m.userPoolIds);
      assert.ok(authorized.some((m) => m.path === "/users/{userId}/notes/{noteId}"));
      // The program leaves authorizerResultTtlInSeconds unset: API Gateway's default, 300 s.
      for (const m of authorized) assert.equal(m.authorizerTtlSeconds, 300, m.path);
      for (const m of api.methods.filter((x) => !x.userPoolIds)) {
        assert.equal(m.authorizerTtlSeconds, undefined);
      }
    });
  }
});
