// The user pools the program declares, in cognito-local (an npm Cognito emulator) on loopback:
// its data in a temporary directory removed at stop, the codes it would email printed in its log.
// Tokens are checked as API Gateway's Cognito authorizer checks them, by aws-jwt-verify against
// the emulator's own keys: signature, issuer, audience (an app client of the pool), expiry and
// `token_use` = `id` (the authorizer takes the ID token when a method names no OAuth scopes).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { JwtRsaVerifier } from "aws-jwt-verify";
import type { LocalUserPool } from "./model";

export interface CognitoEmulatorOptions {
  pools: LocalUserPool[];
  host?: string;
  /** Must be a free port: cognito-local takes it from its environment. */
  port: number;
  /** Each line the emulator logs, confirmation codes included. */
  onLog?: (line: string) => void;
}

export interface CognitoEmulator {
  /** `http://host:port/`: Cognito's JSON API, as `https://cognito-idp.<region>.amazonaws.com/`. */
  endpoint: string;
  /** The claims of a valid ID token of one of these pools, or why it is refused. */
  verify(
    userPoolIds: string[],
    token: string | undefined,
  ): Promise<{ claims: Record<string, string> } | { refused: string }>;
  /** A confirmed user with a verified email and a permanent password; returns their `sub`. */
  createUser(userPoolId: string, email: string, password: string): Promise<string>;
  close(): Promise<void>;
}

/** A call to Cognito's JSON API (cognito-local checks no signature). */
export async function cognitoCall(endpoint: string, action: string, body: unknown) {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) {
    throw new Error(`Cognito ${action}: ${response.status} ${text}`);
  }
  return parsed;
}

/** The pool and client files cognito-local reads at start, with the program's own ids. */
function writeDeclaredPools(dataDir: string, pools: LocalUserPool[]): void {
  const db = path.join(dataDir, ".cognito", "db");
  fs.mkdirSync(db, { recursive: true });
  const now = new Date().toISOString();
  const clients: Record<string, unknown> = {};
  for (const pool of pools) {
    const options = {
      Id: pool.id,
      Name: pool.name,
      UsernameAttributes: pool.usernameAttributes,
      AutoVerifiedAttributes: pool.autoVerifiedAttributes,
      Policies: { PasswordPolicy: pool.passwordPolicy },
      MfaConfiguration: "OFF",
    };
    fs.writeFileSync(
      path.join(db, `${pool.id}.json`),
      JSON.stringify({ Options: options, Users: {} }),
    );
    for (const client of pool.clients) {
      clients[client.id] = {
        ClientId: client.id,
        ClientName: client.name,
        UserPoolId: pool.id,
        ExplicitAuthFlows: client.explicitAuthFlows,
        IdTokenValidity: client.idTokenValidity,
        AccessTokenValidity: client.accessTokenValidity,
        RefreshTokenValidity: client.refreshTokenValidity,
        TokenValidityUnits: {
          IdToken: client.tokenValidityUnits.idToken,
          AccessToken: client.tokenValidityUnits.accessToken,
          RefreshToken: client.tokenValidityUnits.refreshToken,
        },
        CreationDate: now,
        LastModifiedDate: now,
      };
    }
  }
  fs.writeFileSync(path.join(db, "clients.json"), JSON.stringify({ Clients: clients }));
}

export async function startCognitoEmulator(
  options: CognitoEmulatorOptions,
): Promise<CognitoEmulator> {
  const host = options.host ?? "127.0.0.1";
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "serverless-notes-cognito-"));
  writeDeclaredPools(dataDir, options.pools);
  // --no-warnings: cognito-local's AWS SDK v2 prints an end-of-support notice at every start.
  const script = require.resolve("cognito-local/lib/bin/start.js");
  const child = spawn(process.execPath, ["--no-warnings", script], {
    cwd: dataDir,
    env: { ...process.env, PORT: String(options.port), HOST: host, FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const removeData = () => fs.rmSync(dataDir, { recursive: true, force: true });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    removeData();
  };

  const endpoint = `http://${host}:${options.port}/`;
  try {
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      const onLine = (chunk: Buffer) => {
        // Its logger colours whatever the terminal: plain text reads better among our lines.
        // eslint-disable-next-line no-control-regex
        const text = chunk.toString("utf8").replace(/\x1b\[[0-9;]*m/g, "");
        for (const line of text.split("\n")) {
          if (!line.trim()) continue;
          if (!ready && line.includes("Cognito Local running on")) {
            ready = true;
            resolve();
          }
          options.onLog?.(line);
        }
      };
      child.stdout.on("data", onLine);
      child.stderr.on("data", onLine);
      child.once("exit", (code) => {
        if (!ready) reject(new Error(`cognito-local exited with ${code} before it was ready`));
      });
    });

    // One verifier per pool, with the emulator's keys fetched once (they never rotate there).
    const verifiers = new Map<string, { verify(token: string): Promise<unknown> }>();
    for (const pool of options.pools) {
      const jwksUri = `${endpoint}${pool.id}/.well-known/jwks.json`;
      const verifier = JwtRsaVerifier.create({
        issuer: `http://${host}:${options.port}/${pool.id}`,
        audience: pool.clients.map((c) => c.id),
        jwksUri,
        customJwtCheck: ({ payload }) => {
          if (payload.token_use !== "id") {
            throw new Error(`a ${String(payload.token_use)} token, not an ID token`);
          }
        },
      });
      // aws-jwt-verify fetches keys over HTTPS only: the emulator's are handed to it.
      verifier.cacheJwks(
        (await (await fetch(jwksUri)).json()) as Parameters<typeof verifier.cacheJwks>[0],
      );
      verifiers.set(pool.id, verifier);
    }

    return {
      endpoint,
      async verify(userPoolIds, token) {
        if (!token) return { refused: "no Authorization header" };
        let reason = "no user pool of this authorizer";
        for (const id of userPoolIds) {
          const verifier = verifiers.get(id);
          if (!verifier) continue;
          try {
            const payload = (await verifier.verify(token)) as Record<string, unknown>;
            // API Gateway hands the claims to the function as strings.
            const claims = Object.fromEntries(
              Object.entries(payload).map(([k, v]) => [
                k,
                typeof v === "string" ? v : JSON.stringify(v),
              ]),
            );
            return { claims };
          } catch (error) {
            reason = error instanceof Error ? error.message : String(error);
          }
        }
        return { refused: reason };
      },
      async createUser(userPoolId, email, password) {
        const created = await cognitoCall(endpoint, "AdminCreateUser", {
          UserPoolId: userPoolId,
          Username: email,
          MessageAction: "SUPPRESS",
          TemporaryPassword: password,
          UserAttributes: [
            { Name: "email", Value: email },
            { Name: "email_verified", Value: "true" },
          ],
        });
        const user = created.User as {
          Username: string;
          Attributes?: { Name: string; Value: string }[];
        };
        await cognitoCall(endpoint, "AdminSetUserPassword", {
          UserPoolId: userPoolId,
          Username: user.Username,
          Password: password,
          Permanent: true,
        });
        return user.Attributes?.find((a) => a.Name === "sub")?.Value ?? user.Username;
      },
      close: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
