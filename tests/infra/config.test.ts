import { strict as assert } from "node:assert";
import { ConfigError, parseEnvironmentConfig } from "../../infra/config";
import { recordStack } from "../harness/graph";
import { loadStackConfig } from "../../local/stackConfig";

const source = (values: Record<string, string>) => (key: string) => values[key];

describe("infra/config", () => {
  for (const stack of ["dev", "prod"]) {
    it(`accepts Pulumi.${stack}.yaml as it is`, () => {
      const values = loadStackConfig(stack);
      const config = parseEnvironmentConfig(source(values));
      assert.equal(config.region, values["aws:region"]);
      assert.equal(config.logRetentionDays, Number(values["serverless-notes:logRetentionDays"]));
      assert.equal(config.corsOrigin, values["serverless-notes:corsOrigin"]);
      assert.deepEqual(config.eventFunction, {
        memoryMb: Number(values["serverless-notes:eventFunctionMemoryMb"]),
        timeoutSeconds: Number(values["serverless-notes:eventFunctionTimeoutSeconds"]),
        maximumRetryAttempts: Number(values["serverless-notes:eventMaximumRetryAttempts"]),
        maximumEventAgeSeconds: Number(values["serverless-notes:eventMaximumAgeSeconds"]),
      });
      assert.equal(
        config.importMaxConcurrency,
        Number(values["serverless-notes:importMaxConcurrency"]),
      );
      assert.equal(config.exportSegments, Number(values["serverless-notes:exportSegments"]));
    });
  }

  const bad: [string, string, RegExp][] = [
    ["serverless-notes:logRetentionDays", "-1", /is not one of 1, 3, 5/],
    ["serverless-notes:logRetentionDays", "8", /is not one of/],
    ["serverless-notes:billingMode", "ON_DEMAND", /is not one of PAY_PER_REQUEST, PROVISIONED/],
    ["serverless-notes:lambdaMemoryMb", "64", /from 128 to 10240/],
    ["serverless-notes:lambdaTimeoutSeconds", "30", /from 1 to 29/],
    ["serverless-notes:lambdaTimeoutSeconds", "2.5", /whole number/],
    ["serverless-notes:tracing", "yes", /is not true or false/],
    ["serverless-notes:throttleRateLimit", "fast", /is not a number/],
    ["serverless-notes:corsOrigin", "example.com", /\*, site, or an http\(s\) origin/],
    ["aws:region", "Seoul", /AWS region name/],
    ["serverless-notes:notesBucketVersioning", "yes", /is not true or false/],
    ["serverless-notes:exportSchedule", "daily", /off, rate\(<n> <unit>\) or cron/],
    ["serverless-notes:exportSchedule", "rate(1 days)", /EventBridge schedule expression/],
    ["serverless-notes:exportSchedule", "rate(0 days)", /EventBridge schedule expression/],
    ["serverless-notes:exportSchedule", "rate(2 day)", /EventBridge schedule expression/],
    ["serverless-notes:exportSchedule", "cron(0 3 * * ?)", /EventBridge schedule expression/],
    ["serverless-notes:exportSchedule", "OFF", /EventBridge schedule expression/],
    ["serverless-notes:eventFunctionMemoryMb", "64", /from 128 to 10240/],
    ["serverless-notes:eventFunctionTimeoutSeconds", "901", /from 1 to 900/],
    ["serverless-notes:eventMaximumRetryAttempts", "3", /from 0 to 2/],
    ["serverless-notes:eventMaximumAgeSeconds", "59", /from 60 to 21600/],
    ["serverless-notes:eventMaximumAgeSeconds", "21601", /from 60 to 21600/],
    ["serverless-notes:importMaxConcurrency", "0", /from 1 to 40/],
    ["serverless-notes:importMaxConcurrency", "41", /from 1 to 40/],
    ["serverless-notes:importMaxConcurrency", "2.5", /whole number/],
    ["serverless-notes:siteHosting", "cdn", /is not one of s3-website, cloudfront/],
    ["serverless-notes:alarmEmail", "ops", /off or an email address/],
    ["serverless-notes:notesBucketAccessLogDays", "0", /from 1 to 3650/],
    [
      "serverless-notes:notesBucketNoncurrentVersionDays",
      "30",
      /only allowed with notesBucketVersioning true/,
    ],
    ["serverless-notes:siteDomainName", "Notes.Example.com", /off or a lower-case DNS name/],
    ["serverless-notes:exportSegments", "0", /from 1 to 100/],
    ["serverless-notes:exportSegments", "101", /from 1 to 100/],
    ["serverless-notes:exportSegments", "1.5", /whole number/],
  ];
  for (const [key, value, problem] of bad) {
    it(`rejects ${key} = ${value}, naming the key`, () => {
      const values = { ...loadStackConfig("dev"), [key]: value };
      assert.throws(
        () => parseEnvironmentConfig(source(values)),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.message.includes(`"${key}"`) &&
          problem.test(err.message),
      );
    });
  }

  it("reads the export schedule: off, or a rate or cron expression as EventBridge takes it", () => {
    const schedule = (value: string) =>
      parseEnvironmentConfig(
        source({ ...loadStackConfig("dev"), "serverless-notes:exportSchedule": value }),
      ).exportSchedule;
    assert.equal(schedule("off"), undefined);
    for (const expression of [
      "rate(1 day)",
      "rate(1 minute)",
      "rate(6 hours)",
      "rate(30 days)",
      "cron(0 3 * * ? *)",
      "cron(15 10 ? * MON-FRI *)",
    ]) {
      assert.equal(schedule(expression), expression);
    }
  });

  it("versions the notes bucket and schedules the export in prod, neither in dev", () => {
    const dev = parseEnvironmentConfig(source(loadStackConfig("dev")));
    const prod = parseEnvironmentConfig(source(loadStackConfig("prod")));
    assert.equal(dev.notesBucketVersioning, false);
    assert.equal(dev.exportSchedule, undefined);
    assert.equal(prod.notesBucketVersioning, true);
    assert.equal(prod.exportSchedule, "rate(1 day)");
  });

  it("takes a custom domain for CloudFront only, inside its zone, both keys or neither", () => {
    const prod = loadStackConfig("prod");
    const withDomain = (name: string, zone: string, more: Record<string, string> = {}) =>
      parseEnvironmentConfig(
        source({
          ...prod,
          "serverless-notes:siteDomainName": name,
          "serverless-notes:siteHostedZone": zone,
          ...more,
        }),
      ).siteDomain;
    assert.deepEqual(withDomain("notes.example.com", "example.com"), {
      name: "notes.example.com",
      zone: "example.com",
    });
    assert.equal(withDomain("off", "off"), undefined);
    assert.throws(() => withDomain("notes.example.org", "example.com"), /is not inside the zone/);
    assert.throws(
      () => withDomain("notes.example.com", "off"),
      /siteHostedZone.*off or a Route 53/,
    );
    assert.throws(
      () =>
        withDomain("notes.example.com", "example.com", {
          "serverless-notes:siteHosting": "s3-website",
        }),
      /"serverless-notes:siteDomainName": needs siteHosting cloudfront/,
    );
  });

  it("serves dev from the S3 website and prod through CloudFront, logging prod's notes bucket", () => {
    const dev = parseEnvironmentConfig(source(loadStackConfig("dev")));
    const prod = parseEnvironmentConfig(source(loadStackConfig("prod")));
    assert.equal(dev.siteHosting, "s3-website");
    assert.equal(prod.siteHosting, "cloudfront");
    assert.equal(dev.notesBucketAccessLogDays, undefined);
    assert.equal(typeof prod.notesBucketAccessLogDays, "number");
    assert.equal(typeof prod.notesBucketNoncurrentVersionDays, "number");
  });

  it("requires every key, naming the missing one", () => {
    const values = loadStackConfig("prod");
    delete values["serverless-notes:alarms"];
    assert.throws(
      () => parseEnvironmentConfig(source(values)),
      /"serverless-notes:alarms": is required/,
    );
  });

  it("asks for capacities with PROVISIONED billing and refuses them on demand", () => {
    const provisioned = {
      ...loadStackConfig("dev"),
      "serverless-notes:billingMode": "PROVISIONED",
    };
    assert.throws(
      () => parseEnvironmentConfig(source(provisioned)),
      /"serverless-notes:provisionedReadCapacity": is required/,
    );
    const onDemand = { ...loadStackConfig("dev"), "serverless-notes:provisionedReadCapacity": "5" };
    assert.throws(
      () => parseEnvironmentConfig(source(onDemand)),
      /"serverless-notes:provisionedReadCapacity": is only allowed with billingMode PROVISIONED/,
    );
  });

  describe("a wrong value in the stack file fails the whole program", function () {
    this.timeout(120_000);
    for (const [key, value] of [
      ["serverless-notes:logRetentionDays", "-1"],
      ["serverless-notes:billingMode", "ON_DEMAND"],
      ["serverless-notes:exportSchedule", "every day"],
    ]) {
      it(`${key}: ${value}`, async () => {
        const graph = await recordStack("dev", { set: { [key]: value } });
        assert.match(String(graph.recorded.error), new RegExp(`Invalid configuration "${key}"`));
        assert.equal(graph.all().filter((r) => r.type.startsWith("aws:")).length, 0);
      });
    }
  });
});
