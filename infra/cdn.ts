// The website over HTTPS through CloudFront: a private bucket only this distribution may read
// (an origin access control signs its requests), security headers on every response, assets
// cached for a year under content keys and pages never cached (infra/siteAssets.ts says why that
// and not an invalidation), and, where configured, a custom domain with its own certificate.
//
//   browser ──HTTPS (HTTP → 301)──▶ CloudFront (HTTP/2 and 3, response headers policy)
//                                     ├ assets/*  → cached a year
//                                     └ *         → not cached (index.html, config.js, error.html)
//                                          │ SigV4 (origin access control)
//                                          ▼
//                                     S3 bucket, private: policy allows s3:GetObject to
//                                     cloudfront.amazonaws.com for this distribution only
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { objectAccessBy } from "./iamDocuments";
import { PrivateBucket } from "./privateBucket";
import { contentTypeOf } from "./siteBucket";
import { SiteRuntimeConfig, siteConfigScript } from "./siteConfig";
import { ASSET_PREFIX, PAGE_CACHE_CONTROL, versionedSite } from "./siteAssets";
import { HSTS_MAX_AGE_SECONDS, contentSecurityPolicy } from "./securityHeaders";

export interface CdnDomain {
  /** The site's name, e.g. `notes.example.com`. */
  name: string;
  /** The public Route 53 zone that holds it, e.g. `example.com`. */
  zoneName: string;
  /** CloudFront takes certificates from `us-east-1` only: a provider for that region. */
  certificateProvider: aws.Provider;
}

export interface CdnArgs {
  /** The folder whose files become the website. */
  siteDir: string;
  /** Written into the bucket as `config.js`, which the page loads before its own script. */
  runtimeConfig: pulumi.Input<SiteRuntimeConfig>;
  /** Start of the bucket's generated name. */
  bucketPrefix: string;
  /**
   * How the distribution, its policies and access control describe themselves in the console.
   * Their names are the provider's (`<name>-<7 hex>`): unique per account, never colliding.
   */
  namePrefix: string;
  /** The origins the page may call (`connect-src`): the API's and Cognito's. */
  connectOrigins: pulumi.Input<string>[];
  /** Where set, the site's own name and certificate; otherwise its `*.cloudfront.net` name. */
  domain?: CdnDomain;
  /** Default `PriceClass_All`: every edge location, Asia included. */
  priceClass?: "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
}

const INDEX_DOCUMENT = "index.html";
const ERROR_DOCUMENT = "error.html";
/** How long CloudFront keeps an error answer before asking the bucket again. */
const ERROR_CACHING_SECONDS = 10;
const ORIGIN_ID = "site";
const YEAR = 31_536_000;

/** The distribution, its bucket, its policies and, where asked, its custom name. */
export class Cdn extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly distributionId: pulumi.Output<string>;
  /** The name people use: the custom domain, or `d….cloudfront.net`. */
  readonly domainName: pulumi.Output<string>;
  /** `https://<domainName>`: the page's address and its origin. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: CdnArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-notes:site:Cdn", name, {}, opts);
    const child = { parent: this };

    // The bucket policy names the distribution, which needs the bucket first: the ARN is
    // handed over once the distribution exists.
    let distributionArnIs!: (arn: pulumi.Output<string>) => void;
    const distributionArn = pulumi
      .output(new Promise<pulumi.Output<string>>((resolve) => (distributionArnIs = resolve)))
      .apply((arn) => arn);
    const account = aws.getCallerIdentityOutput({}, child);

    // Private, encrypted, TLS only; CloudFront may read objects for this distribution only.
    // The site is rebuilt by every deploy, so removing the stack may empty it.
    const bucket = new PrivateBucket(
      name,
      {
        bucketPrefix: args.bucketPrefix,
        forceDestroy: true,
        grants: (bucketArn) => [
          {
            Sid: "CloudFrontReadsTheSite",
            ...objectAccessBy("cloudfront.amazonaws.com", bucketArn, "", ["s3:GetObject"], {
              arn: distributionArn,
              account: account.accountId,
            }),
          },
        ],
      },
      child,
    );
    this.upload(name, bucket, args);

    // CloudFront signs every request to the bucket (SigV4); the bucket trusts nothing else.
    const accessControl = new aws.cloudfront.OriginAccessControl(
      name,
      {
        description: `CloudFront reads the site bucket of ${args.namePrefix}`,
        originAccessControlOriginType: "s3",
        signingBehavior: "always",
        signingProtocol: "sigv4",
      },
      child,
    );

    const headers = this.headersPolicy(name, args);
    const caching = this.cachePolicies(name, args);
    const certificate = args.domain && this.certificate(name, args.domain);

    const behaviour = {
      targetOriginId: ORIGIN_ID,
      viewerProtocolPolicy: "redirect-to-https",
      allowedMethods: ["GET", "HEAD"],
      cachedMethods: ["GET", "HEAD"],
      compress: true,
      responseHeadersPolicyId: headers.id,
    };
    const distribution = new aws.cloudfront.Distribution(
      name,
      {
        enabled: true,
        comment: args.namePrefix,
        isIpv6Enabled: true,
        httpVersion: "http2and3",
        priceClass: args.priceClass ?? "PriceClass_All",
        aliases: args.domain ? [args.domain.name] : undefined,
        defaultRootObject: INDEX_DOCUMENT,
        origins: [
          {
            originId: ORIGIN_ID,
            domainName: bucket.regionalDomainName,
            originAccessControlId: accessControl.id,
          },
        ],
        // Pages and config.js: asked for again on every request, so a deploy shows at once.
        defaultCacheBehavior: { ...behaviour, cachePolicyId: caching.pages.id },
        // Content-addressed assets: a new version is a new key.
        orderedCacheBehaviors: [
          { ...behaviour, pathPattern: `${ASSET_PREFIX}*`, cachePolicyId: caching.assets.id },
        ],
        // Without s3:ListBucket, S3 answers a missing key with 403: both are the site's 404 page.
        customErrorResponses: [403, 404].map((errorCode) => ({
          errorCode,
          responseCode: 404,
          responsePagePath: `/${ERROR_DOCUMENT}`,
          errorCachingMinTtl: ERROR_CACHING_SECONDS,
        })),
        restrictions: { geoRestriction: { restrictionType: "none" } },
        viewerCertificate: certificate
          ? {
              acmCertificateArn: certificate,
              sslSupportMethod: "sni-only",
              minimumProtocolVersion: "TLSv1.2_2021",
            }
          : { cloudfrontDefaultCertificate: true },
      },
      child,
    );
    distributionArnIs(distribution.arn);

    if (args.domain) this.alias(name, args.domain, distribution);

    this.bucketName = bucket.bucketName;
    this.distributionId = distribution.id;
    this.domainName = args.domain ? pulumi.output(args.domain.name) : distribution.domainName;
    this.url = pulumi.interpolate`https://${this.domainName}`;
    this.registerOutputs({ bucketName: this.bucketName, url: this.url });
  }

  /** Each site file under its key (assets content-addressed) and the deployment's config.js. */
  private upload(name: string, bucket: PrivateBucket, args: CdnArgs): void {
    for (const object of versionedSite(args.siteDir)) {
      new aws.s3.BucketObject(
        `${name}/${object.path}`,
        {
          bucket: bucket.bucketName,
          key: object.key,
          source: object.file ? new pulumi.asset.FileAsset(object.file) : undefined,
          content: object.content,
          contentType: object.contentType,
          cacheControl: object.cacheControl,
        },
        { parent: this, dependsOn: [bucket] },
      );
    }
    new aws.s3.BucketObject(
      `${name}/config.js`,
      {
        bucket: bucket.bucketName,
        key: "config.js",
        content: pulumi.output(args.runtimeConfig).apply(siteConfigScript),
        contentType: contentTypeOf("config.js"),
        cacheControl: PAGE_CACHE_CONTROL,
      },
      { parent: this, dependsOn: [bucket] },
    );
  }

  /** The security headers of every response, overriding whatever the bucket would send. */
  private headersPolicy(name: string, args: CdnArgs): aws.cloudfront.ResponseHeadersPolicy {
    return new aws.cloudfront.ResponseHeadersPolicy(
      name,
      {
        comment: `Security headers of ${args.namePrefix}`,
        securityHeadersConfig: {
          contentSecurityPolicy: {
            contentSecurityPolicy: pulumi.all(args.connectOrigins).apply(contentSecurityPolicy),
            override: true,
          },
          strictTransportSecurity: {
            accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
            includeSubdomains: true,
            override: true,
          },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: "DENY", override: true },
          referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
        },
      },
      { parent: this },
    );
  }

  /** A year for content-addressed assets; nothing for the rest. */
  private cachePolicies(name: string, args: CdnArgs) {
    const nothingInKey = {
      cookiesConfig: { cookieBehavior: "none" },
      headersConfig: { headerBehavior: "none" },
      queryStringsConfig: { queryStringBehavior: "none" },
    };
    const assets = new aws.cloudfront.CachePolicy(
      `${name}-assets`,
      {
        comment: `Content-addressed assets of ${args.namePrefix}: a year`,
        minTtl: YEAR,
        defaultTtl: YEAR,
        maxTtl: YEAR,
        parametersInCacheKeyAndForwardedToOrigin: {
          ...nothingInKey,
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
        },
      },
      { parent: this },
    );
    // CloudFront refuses compression settings on a policy that caches nothing.
    const pages = new aws.cloudfront.CachePolicy(
      `${name}-pages`,
      {
        comment: `Pages and config.js of ${args.namePrefix}: never cached`,
        minTtl: 0,
        defaultTtl: 0,
        maxTtl: 0,
        parametersInCacheKeyAndForwardedToOrigin: {
          ...nothingInKey,
          enableAcceptEncodingGzip: false,
          enableAcceptEncodingBrotli: false,
        },
      },
      { parent: this },
    );
    return { assets, pages };
  }

  /**
   * An ACM certificate for the domain, in us-east-1 (where CloudFront takes them from), proven by
   * a DNS record in the domain's zone; the ARN once ACM has issued it.
   */
  private certificate(name: string, domain: CdnDomain): pulumi.Output<string> {
    const zone = aws.route53.getZoneOutput(
      { name: domain.zoneName, privateZone: false },
      { parent: this },
    );
    const certificate = new aws.acm.Certificate(
      name,
      { domainName: domain.name, validationMethod: "DNS" },
      { parent: this, provider: domain.certificateProvider },
    );
    // One domain name, so one validation record.
    const option = certificate.domainValidationOptions.apply((options) => options[0]);
    const record = new aws.route53.Record(
      `${name}-certificate-validation`,
      {
        zoneId: zone.zoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
      },
      { parent: this },
    );
    const validation = new aws.acm.CertificateValidation(
      name,
      { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
      { parent: this, provider: domain.certificateProvider },
    );
    return validation.certificateArn;
  }

  /** The domain's A and AAAA records point at the distribution (Route 53 alias records). */
  private alias(name: string, domain: CdnDomain, distribution: aws.cloudfront.Distribution) {
    const zone = aws.route53.getZoneOutput(
      { name: domain.zoneName, privateZone: false },
      { parent: this },
    );
    for (const type of ["A", "AAAA"]) {
      new aws.route53.Record(
        `${name}-${type}`,
        {
          zoneId: zone.zoneId,
          name: domain.name,
          type,
          aliases: [
            {
              name: distribution.domainName,
              zoneId: distribution.hostedZoneId,
              evaluateTargetHealth: false,
            },
          ],
        },
        { parent: this },
      );
    }
  }
}
