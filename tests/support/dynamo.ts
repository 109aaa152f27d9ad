// A DynamoDB emulator for handler tests, with the environment the handler factories read: the
// SDK finds the emulator through AWS_ENDPOINT_URL_DYNAMODB, as a Lambda finds DynamoDB.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { startDynamoEmulator } from "../../local/dynamodb";

export interface TestDynamo {
  /** A client for arranging and inspecting tables. */
  client: DynamoDBClient;
  /** Stops the emulator and restores the environment as it was. */
  close(): Promise<void>;
}

export async function startTestDynamo(env: Record<string, string> = {}): Promise<TestDynamo> {
  const emulator = await startDynamoEmulator();
  const settings: Record<string, string> = {
    AWS_ENDPOINT_URL_DYNAMODB: emulator.endpoint,
    AWS_REGION: "ap-northeast-2",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    ...env,
  };
  const saved = Object.keys(settings).map((key) => [key, process.env[key]] as const);
  Object.assign(process.env, settings);
  const client = new DynamoDBClient({});
  return {
    client,
    close: async () => {
      client.destroy();
      await emulator.close();
      for (const [key, value] of saved) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}
