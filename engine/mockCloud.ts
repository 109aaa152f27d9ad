// What AWS would answer once a resource is created, for `pulumi up` under the offline engine:
// realistic ids, ARNs and endpoints derived from the checked inputs, and the few provider
// functions the program calls. With local addresses, the stage's invoke URL and the website
// endpoint are those, so the program itself writes config.js and CORS origins for `npm start`.
import { createHash } from "node:crypto";

export const ACCOUNT_ID = "123456789012";

export interface MockCloud {
  region: string;
  /** The local API Gateway's base URL, answered as the stage's invoke URL. */
  apiBase?: string;
  /** The local website's host, answered as the website endpoint and the distribution's name. */
  siteHost?: string;
}

/** Stable fake ids, so recorded graphs can be compared across runs. */
export function fakeId(seed: string, length = 10): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** What AWS would answer for each resource type: realistic ids, ARNs and generated names. */
export function mockState(
  cloud: MockCloud,
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): { id: string; state: Record<string, unknown> } {
  const { region, apiBase, siteHost } = cloud;
  const generated = `${name.replace(/[^A-Za-z0-9-]/g, "-")}-${fakeId(type + name, 7)}`;
  const physical = (inputs.name as string | undefined) ?? generated;
  const base = { ...inputs };
  switch (type) {
    case "aws:dynamodb/table:Table":
      return {
        id: physical,
        state: {
          ...base,
          name: physical,
          arn: `arn:aws:dynamodb:${region}:${ACCOUNT_ID}:table/${physical}`,
        },
      };
    case "aws:iam/role:Role":
      return {
        id: physical,
        state: { ...base, name: physical, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${physical}` },
      };
    case "aws:iam/policy:Policy":
      return {
        id: `arn:aws:iam::${ACCOUNT_ID}:policy/${physical}`,
        state: { ...base, name: physical, arn: `arn:aws:iam::${ACCOUNT_ID}:policy/${physical}` },
      };
    case "aws:iam/instanceProfile:InstanceProfile":
      return {
        id: physical,
        state: {
          ...base,
          name: physical,
          arn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/${physical}`,
        },
      };
    case "aws:cloudwatch/logGroup:LogGroup":
      return {
        id: physical,
        state: {
          ...base,
          name: physical,
          arn: `arn:aws:logs:${region}:${ACCOUNT_ID}:log-group:${physical}`,
        },
      };
    case "aws:lambda/function:Function": {
      const arn = `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${physical}`;
      return {
        id: physical,
        state: {
          ...base,
          name: physical,
          arn,
          qualifiedArn: `${arn}:$LATEST`,
          invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
        },
      };
    }
    case "aws:s3/bucket:Bucket": {
      const bucket =
        (inputs.bucket as string | undefined) ??
        `${(inputs.bucketPrefix as string | undefined) ?? `${name}-`}${fakeId(name, 12)}`;
      return {
        id: bucket,
        state: {
          ...base,
          bucket,
          arn: `arn:aws:s3:::${bucket}`,
          bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
        },
      };
    }
    case "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration":
      return {
        id: String(inputs.bucket),
        state: {
          ...base,
          websiteDomain: `s3-website.${region}.amazonaws.com`,
          websiteEndpoint:
            siteHost ?? `${String(inputs.bucket)}.s3-website.${region}.amazonaws.com`,
        },
      };
    case "aws:cloudfront/distribution:Distribution": {
      // CloudFront's ids are 14 upper-case characters; its names `d<13 lower-case>.cloudfront.net`.
      const id = `E${fakeId(name, 13).toUpperCase()}`;
      return {
        id,
        state: {
          ...base,
          arn: `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/${id}`,
          domainName: siteHost ?? `d${fakeId(`${name}/domain`, 13)}.cloudfront.net`,
          // The one zone id of every CloudFront alias target (Route 53 API reference, AliasTarget).
          hostedZoneId: "Z2FDTNDATAQYW2",
          status: "Deployed",
        },
      };
    }
    case "aws:acm/certificate:Certificate": {
      const domain = String(inputs.domainName);
      const arn = `arn:aws:acm:us-east-1:${ACCOUNT_ID}:certificate/${fakeId(name, 8)}`;
      return {
        id: arn,
        state: {
          ...base,
          arn,
          domainValidationOptions: [
            {
              domainName: domain,
              resourceRecordName: `_${fakeId(domain, 32)}.${domain}.`,
              resourceRecordType: "CNAME",
              resourceRecordValue: `_${fakeId(`${domain}/value`, 32)}.acm-validations.aws.`,
            },
          ],
        },
      };
    }
    case "aws:route53/record:Record":
      return {
        id: `${String(inputs.zoneId)}_${String(inputs.name)}_${String(inputs.type)}`,
        state: { ...base, fqdn: String(inputs.name).replace(/\.$/, "") },
      };
    case "aws:sns/topic:Topic":
      return {
        id: `arn:aws:sns:${region}:${ACCOUNT_ID}:${physical}`,
        state: { ...base, name: physical, arn: `arn:aws:sns:${region}:${ACCOUNT_ID}:${physical}` },
      };
    case "aws:cloudwatch/eventRule:EventRule":
      return {
        id: physical,
        state: {
          ...base,
          name: physical,
          arn: `arn:aws:events:${region}:${ACCOUNT_ID}:rule/${physical}`,
        },
      };
    case "aws:sfn/stateMachine:StateMachine": {
      // The provider keeps the ARN as the id.
      const arn = `arn:aws:states:${region}:${ACCOUNT_ID}:stateMachine:${physical}`;
      return { id: arn, state: { ...base, name: physical, arn } };
    }
    case "aws:apigateway/restApi:RestApi": {
      const id = fakeId(name);
      return {
        id,
        state: {
          ...base,
          rootResourceId: fakeId(`${name}/`, 10),
          executionArn: `arn:aws:execute-api:${region}:${ACCOUNT_ID}:${id}`,
          arn: `arn:aws:apigateway:${region}::/restapis/${id}`,
        },
      };
    }
    case "aws:apigateway/stage:Stage": {
      const api = String(inputs.restApi);
      const stageName = String(inputs.stageName);
      return {
        id: `ags-${api}-${stageName}`,
        state: {
          ...base,
          invokeUrl: apiBase
            ? `${apiBase}/${stageName}`
            : `https://${api}.execute-api.${region}.amazonaws.com/${stageName}`,
          executionArn: `arn:aws:execute-api:${region}:${ACCOUNT_ID}:${api}/${stageName}`,
          arn: `arn:aws:apigateway:${region}::/restapis/${api}/stages/${stageName}`,
        },
      };
    }
    default:
      return {
        id: fakeId(type + name),
        state: {
          ...base,
          arn: `arn:aws:${type.split(":")[1]?.split("/")[0] ?? "x"}:${region}:${ACCOUNT_ID}:${generated}`,
        },
      };
  }
}

/** The provider functions the program calls (`aws.getCallerIdentity` …), answered like AWS. */
export function mockInvoke(
  cloud: MockCloud,
  token: string,
  args: Record<string, unknown> = {},
): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: ACCOUNT_ID,
        arn: `arn:aws:iam::${ACCOUNT_ID}:user/deployer`,
        userId: "AIDAEXAMPLE",
        id: ACCOUNT_ID,
      };
    case "aws:index/getRegion:getRegion":
      return { name: cloud.region, region: cloud.region, id: cloud.region };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:route53/getZone:getZone":
      return { ...args, zoneId: `Z${fakeId(String(args.name), 12).toUpperCase()}`, id: "zone" };
    default:
      throw new Error(`no mock for the call ${token}`);
  }
}
