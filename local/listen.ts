import type { Server } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

export interface Listening {
  /** `http://host:port`. */
  url: string;
  port: number;
  /** Stops accepting and drops open keep-alive connections. */
  close(): Promise<void>;
}

/** Starts a local server on the host and port (0 picks a free one). */
export async function listen(
  server: Server | HttpsServer,
  host = "127.0.0.1",
  port = 0,
): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const chosen = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${chosen}`,
    port: chosen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
