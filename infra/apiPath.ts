// One resource path of the REST API as the gateway's own answers see it: the CORS preflight and
// the 405 of a path are mocks built from the same few facts.
import * as pulumi from "@pulumi/pulumi";
import type { HttpMethod } from "./api";
import type { DeploymentInputs } from "./deploymentInputs";

/** Request headers a browser may send cross-origin. */
export const CORS_ALLOW_HEADERS =
  "Content-Type,Authorization,X-Amz-Date,X-Api-Key,X-Amz-Security-Token";

export interface ApiPath {
  /** Logical name prefix of the resources made for this path, e.g. `api`. */
  name: string;
  restApi: pulumi.Input<string>;
  resourceId: pulumi.Input<string>;
  /** `/users/{userId}/notes` */
  path: string;
  /** The methods the route table has on this path. */
  methods: HttpMethod[];
  /** `Access-Control-Allow-Origin` of the answers. */
  corsOrigin: pulumi.Input<string>;
  /** Where set, the Cognito authorizer the path's routes sit behind: its 405 answer does too. */
  authorizerId?: pulumi.Input<string>;
  /** Where the resources the stage serves are recorded. */
  served: DeploymentInputs;
  parent: pulumi.Resource;
}

/** The methods a path answers, as a literal header value: `'GET,POST,OPTIONS'`. */
export function allowedMethods(methods: HttpMethod[]): string {
  return `'${[...methods, "OPTIONS"].join(",")}'`;
}
