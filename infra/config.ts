// The one typed view of `Pulumi.<env>.yaml`. Every value that differs between environments is
// read and checked here, and a wrong value fails the program with a message naming its key.
import * as pulumi from "@pulumi/pulumi";
import { MAX_EXPORT_SEGMENTS } from "../app/exportWorkflowDefinition";

export const PROJECT = "serverless-notes";

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

export type BillingMode = "PAY_PER_REQUEST" | "PROVISIONED";
export type SiteHosting = "s3-website" | "cloudfront";

export interface EnvironmentConfig {
  /** `aws:region`: where every resource of the stack lives. */
  region: string;
  /** Days CloudWatch keeps function and access logs. */
  logRetentionDays: number;
  /** DynamoDB capacity mode; `PROVISIONED` also needs the two capacities below. */
  billingMode: BillingMode;
  provisionedCapacity?: { read: number; write: number };
  pointInTimeRecovery: boolean;
  deletionProtection: boolean;
  /** Pulumi `protect` on the tables: `pulumi destroy` refuses to delete them. */
  protectTables: boolean;
  lambdaMemoryMb: number;
  lambdaTimeoutSeconds: number;
  /** Functions that events start (the workflows' steps): no caller waits on them. */
  eventFunction: {
    memoryMb: number;
    timeoutSeconds: number;
    /** Retries of an event that could not start a workflow, before its dead-letter queue. */
    maximumRetryAttempts: number;
    /** Seconds such an event is tried before it goes to the dead-letter queue. */
    maximumEventAgeSeconds: number;
  };
  /** Parts of one CSV the import workflow loads at the same time (its Map's MaxConcurrency). */
  importMaxConcurrency: number;
  /** X-Ray tracing on the API stage and every function. */
  tracing: boolean;
  apiAccessLogs: boolean;
  throttle: { rateLimit: number; burstLimit: number };
  /** CloudWatch alarms on function errors and API 5XX responses. */
  alarms: boolean;
  /** `*`, `site` (the website's own origin), or an explicit `http(s)://host[:port]` origin. */
  corsOrigin: string;
  /** The course's scratch bucket whose name contains `deleteme`. */
  labBucket: boolean;
  /** Keep every version of every object in the notes bucket. */
  notesBucketVersioning: boolean;
  /** Days a noncurrent version of a notes bucket object is kept; undefined keeps them all. */
  notesBucketNoncurrentVersionDays?: number;
  /** Days the notes bucket's server access logs are kept in their log bucket; undefined: no logs. */
  notesBucketAccessLogDays?: number;
  /** How the website is served: the bucket's S3 website endpoint, or CloudFront over HTTPS. */
  siteHosting: SiteHosting;
  /** A custom domain for the CloudFront site, with the public Route 53 zone that holds it. */
  siteDomain?: { name: string; zone: string };
  /** Who hears of an alarm: an email address subscribed to the stack's alarm topic. */
  alarmEmail?: string;
  /** When the notes export runs (an EventBridge schedule expression); undefined when `off`. */
  exportSchedule?: string;
  /** Segments of the Notes table's parallel Scan the export runs at once, each its own child. */
  exportSegments: number;
  /** The Cognito user pool of the people who sign in. */
  userPool: {
    /** Cognito refuses to delete the pool (its users would be gone for good). */
    deletionProtection: boolean;
    /** Pulumi `protect` on the pool. */
    protect: boolean;
    /** Days a refresh token keeps a person signed in on the website. */
    refreshTokenValidityDays: number;
  };
}

/** Reads a raw config value; Pulumi hands every value to the program as a string. */
export type ConfigSource = (key: string) => string | undefined;

export class ConfigError extends Error {
  constructor(key: string, problem: string) {
    super(`Invalid configuration "${key}": ${problem}`);
    this.name = "ConfigError";
  }
}

function reader(namespace: string, source: ConfigSource) {
  const fullKey = (key: string) => `${namespace}:${key}`;
  const raw = (key: string): string => {
    const value = source(fullKey(key));
    if (value === undefined || value === "") {
      throw new ConfigError(fullKey(key), "is required but not set");
    }
    return value;
  };
  return {
    string(key: string, pattern?: RegExp, describe?: string): string {
      const value = raw(key);
      if (pattern && !pattern.test(value)) {
        throw new ConfigError(fullKey(key), `"${value}" is not ${describe ?? `like ${pattern}`}`);
      }
      return value;
    },
    boolean(key: string): boolean {
      const value = raw(key);
      if (value !== "true" && value !== "false") {
        throw new ConfigError(fullKey(key), `"${value}" is not true or false`);
      }
      return value === "true";
    },
    integer(key: string, min: number, max: number): number {
      const value = raw(key);
      const n = Number(value);
      if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
        throw new ConfigError(
          fullKey(key),
          `"${value}" is not a whole number from ${min} to ${max}`,
        );
      }
      return n;
    },
    number(key: string, min: number, max: number): number {
      const value = raw(key);
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
        throw new ConfigError(fullKey(key), `"${value}" is not a number from ${min} to ${max}`);
      }
      return n;
    },
    oneOf<T extends string | number>(key: string, allowed: readonly T[]): T {
      const value = raw(key);
      const found = allowed.find((a) => String(a) === value.trim());
      if (found === undefined) {
        throw new ConfigError(fullKey(key), `"${value}" is not one of ${allowed.join(", ")}`);
      }
      return found;
    },
    has(key: string): boolean {
      return source(fullKey(key)) !== undefined;
    },
  };
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
/** `off`, or an EventBridge schedule: `rate(1 day)`, `rate(6 hours)`, `cron(0 3 * * ? *)`. */
const SCHEDULE =
  /^(off|rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)|cron\(\S+( \S+){5}\))$/;
const ORIGIN = /^(\*|site|https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?)$/;
/** A DNS name of at least two labels, lower case, no trailing dot: `notes.example.com`. */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** An address SNS can email; SNS itself confirms it by asking its owner. */
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** `off`, or a value the reader accepts. */
function optional<T>(raw: string, read: () => T): T | undefined {
  return raw === "off" ? undefined : read();
}

/** The custom domain of the site: both keys `off`, or a name inside the zone, on CloudFront. */
function siteDomainOf(
  cfg: ReturnType<typeof reader>,
  hosting: SiteHosting,
): EnvironmentConfig["siteDomain"] {
  const raw = { name: cfg.string("siteDomainName"), zone: cfg.string("siteHostedZone") };
  if (raw.name === "off" && raw.zone === "off") return undefined;
  const name = cfg.string("siteDomainName", DOMAIN, "off or a lower-case DNS name");
  const zone = cfg.string("siteHostedZone", DOMAIN, "off or a Route 53 public zone's name");
  if (name !== zone && !name.endsWith(`.${zone}`)) {
    throw new ConfigError(`${PROJECT}:siteDomainName`, `"${name}" is not inside the zone ${zone}`);
  }
  if (hosting !== "cloudfront") {
    throw new ConfigError(`${PROJECT}:siteDomainName`, "needs siteHosting cloudfront (HTTPS)");
  }
  return { name, zone };
}

/** Checks every key of the environment; the first wrong one fails with its name. */
export function parseEnvironmentConfig(source: ConfigSource): EnvironmentConfig {
  const aws = reader("aws", source);
  const cfg = reader(PROJECT, source);
  const billingMode = cfg.oneOf<BillingMode>("billingMode", ["PAY_PER_REQUEST", "PROVISIONED"]);
  const provisionedCapacity =
    billingMode === "PROVISIONED"
      ? {
          read: cfg.integer("provisionedReadCapacity", 1, 40_000),
          write: cfg.integer("provisionedWriteCapacity", 1, 40_000),
        }
      : undefined;
  if (billingMode === "PAY_PER_REQUEST") {
    for (const key of ["provisionedReadCapacity", "provisionedWriteCapacity"]) {
      if (cfg.has(key)) {
        throw new ConfigError(`${PROJECT}:${key}`, "is only allowed with billingMode PROVISIONED");
      }
    }
  }
  const notesBucketVersioning = cfg.boolean("notesBucketVersioning");
  const noncurrentDays = optional(cfg.string("notesBucketNoncurrentVersionDays"), () =>
    cfg.integer("notesBucketNoncurrentVersionDays", 1, 3650),
  );
  if (noncurrentDays !== undefined && !notesBucketVersioning) {
    throw new ConfigError(
      `${PROJECT}:notesBucketNoncurrentVersionDays`,
      "is only allowed with notesBucketVersioning true",
    );
  }
  const siteHosting = cfg.oneOf<SiteHosting>("siteHosting", ["s3-website", "cloudfront"]);
  const exportSchedule = cfg.string(
    "exportSchedule",
    SCHEDULE,
    "off, rate(<n> <unit>) or cron(<6 fields>) (an EventBridge schedule expression)",
  );
  return {
    region: aws.string("region", REGION, "an AWS region name such as ap-northeast-2"),
    logRetentionDays: cfg.oneOf("logRetentionDays", LOG_RETENTION_DAYS),
    billingMode,
    provisionedCapacity,
    pointInTimeRecovery: cfg.boolean("pointInTimeRecovery"),
    deletionProtection: cfg.boolean("deletionProtection"),
    protectTables: cfg.boolean("protectTables"),
    lambdaMemoryMb: cfg.integer("lambdaMemoryMb", 128, 10_240),
    // API Gateway stops waiting for an integration after 29 seconds.
    lambdaTimeoutSeconds: cfg.integer("lambdaTimeoutSeconds", 1, 29),
    // Lambda's 15 minutes a run; events tried 0 to 2 more times for 1 minute to 6 hours.
    eventFunction: {
      memoryMb: cfg.integer("eventFunctionMemoryMb", 128, 10_240),
      timeoutSeconds: cfg.integer("eventFunctionTimeoutSeconds", 1, 900),
      maximumRetryAttempts: cfg.integer("eventMaximumRetryAttempts", 0, 2),
      maximumEventAgeSeconds: cfg.integer("eventMaximumAgeSeconds", 60, 21_600),
    },
    // Each part is one Lambda and its share of the table's writes; 40 is where inline Map stops.
    importMaxConcurrency: cfg.integer("importMaxConcurrency", 1, 40),
    tracing: cfg.boolean("tracing"),
    apiAccessLogs: cfg.boolean("apiAccessLogs"),
    throttle: {
      rateLimit: cfg.number("throttleRateLimit", 1, 10_000),
      burstLimit: cfg.integer("throttleBurstLimit", 1, 5_000),
    },
    alarms: cfg.boolean("alarms"),
    corsOrigin: cfg.string("corsOrigin", ORIGIN, "*, site, or an http(s) origin"),
    labBucket: cfg.boolean("labBucket"),
    notesBucketVersioning,
    notesBucketNoncurrentVersionDays: noncurrentDays,
    notesBucketAccessLogDays: optional(cfg.string("notesBucketAccessLogDays"), () =>
      cfg.integer("notesBucketAccessLogDays", 1, 3650),
    ),
    siteHosting,
    siteDomain: siteDomainOf(cfg, siteHosting),
    alarmEmail: optional(cfg.string("alarmEmail"), () =>
      cfg.string("alarmEmail", EMAIL, "off or an email address"),
    ),
    exportSchedule: exportSchedule === "off" ? undefined : exportSchedule,
    exportSegments: cfg.integer("exportSegments", 1, MAX_EXPORT_SEGMENTS),
    userPool: {
      deletionProtection: cfg.boolean("userPoolDeletionProtection"),
      protect: cfg.boolean("protectUserPool"),
      // Cognito's range: at least an hour (0.04 days is not worth a config), at most ten years.
      refreshTokenValidityDays: cfg.integer("refreshTokenValidityDays", 1, 3650),
    },
  };
}

/** The stack's configuration as the Pulumi engine hands it to the program. */
export function loadEnvironmentConfig(): EnvironmentConfig {
  return parseEnvironmentConfig((key) => {
    const [namespace, name] = key.split(":");
    return new pulumi.Config(namespace).get(name);
  });
}
