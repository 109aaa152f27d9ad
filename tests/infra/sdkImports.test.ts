import { strict as assert } from "node:assert";
import { sdkImports } from "../../infra/sdkImports";

// Text as the closure serialiser writes it: each captured module a `const` bound to its require.
const SERIALISED = `
const util_dynamodb_1 = require("@aws-sdk/util-dynamodb/dist-cjs/index.js");
function __key(id) { return (0, util_dynamodb_1.marshall)({ id }); }
const client_dynamodb_1 = require("@aws-sdk/client-dynamodb/dist-cjs/index.js");
const node_crypto_1 = require("crypto");
function __get() {
  const client = new client_dynamodb_1.DynamoDBClient({});
  return async (id) => {
    try { return await client.send(new client_dynamodb_1 . GetItemCommand({ Key: __key(id) })); }
    catch (e) { if (e instanceof client_dynamodb_1.ConditionalCheckFailedException) throw e; }
    return (0, util_dynamodb_1.unmarshall)(node_crypto_1.randomUUID());
  };
}
`;

describe("infra/sdkImports", () => {
  it("finds each SDK module the handler requires and the exports it reads, and nothing else", () => {
    assert.deepEqual(sdkImports(SERIALISED), [
      {
        specifier: "@aws-sdk/client-dynamodb/dist-cjs/index.js",
        packageName: "@aws-sdk/client-dynamodb",
        names: ["ConditionalCheckFailedException", "DynamoDBClient", "GetItemCommand"],
      },
      {
        specifier: "@aws-sdk/util-dynamodb/dist-cjs/index.js",
        packageName: "@aws-sdk/util-dynamodb",
        names: ["marshall", "unmarshall"],
      },
    ]);
    assert.deepEqual(sdkImports(`const m = require("mime"); m.getType("x");`), []);
  });

  it("keeps every export of a module used any other way than by name", () => {
    const whole = `const c_1 = require("@aws-sdk/client-s3"); const all = Object.keys(c_1);`;
    const indexed = `const c_1 = require("@aws-sdk/client-s3"); c_1.S3Client; c_1["GetObjectCommand"];`;
    const inline = `async function f() { const { S3Client } = require("@smithy/core"); }`;
    for (const text of [whole, indexed, inline]) {
      assert.equal(sdkImports(text).length, 1, text);
      assert.equal(sdkImports(text)[0].names, undefined, text);
    }
  });

  it("does not take a longer name or a property of the same name for the module's binding", () => {
    const text = `const c_1 = require("@aws-sdk/client-s3"); const c_10 = 1; x.c_1 = 2; c_1.S3Client;`;
    assert.deepEqual(sdkImports(text)[0].names, ["S3Client"]);
  });

  it("merges two requires of the same specifier, and keeps everything if either needs it", () => {
    const twice = `const a = require("@aws-sdk/client-s3"); a.S3Client;
      const b = require("@aws-sdk/client-s3"); b.GetObjectCommand;`;
    assert.deepEqual(sdkImports(twice)[0].names, ["GetObjectCommand", "S3Client"]);
    const onceWhole = `${twice} const c = require("@aws-sdk/client-s3"); use(c);`;
    assert.equal(sdkImports(onceWhole)[0].names, undefined);
  });
});
