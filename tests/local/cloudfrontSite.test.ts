// `npm start -- --stack prod`: the CloudFront site's stand-in in Chromium. The page is served over
// HTTPS with the headers of the program's own response headers policy, and works under its
// Content-Security-Policy with no violation; a CSP that leaves out Cognito is seen to break it.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { startLocalStack } from "../../local/localStack";
import type { LocalStack, LocalStackOptions } from "../../local/localStack";
import type { RecordedStack } from "../../local/recordStack";
import {
  addNote,
  launchChromium,
  shuffleMood,
  signIn,
  statusAfterAction,
} from "../support/sitePage";

const DEMO = { email: "demo@example.com", password: "DemoNotes2024" };
const POLICY = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy";

/** The prod stack on this machine, in a data folder of its own that goes with it. */
async function withProdStack(
  options: Partial<LocalStackOptions>,
  run: (local: LocalStack) => Promise<void>,
): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudfront-site-"));
  const local = await startLocalStack({ stack: "prod", dataDir, demoUser: DEMO, ...options });
  try {
    await run(local);
  } finally {
    await local.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A page that reports every CSP violation (the event, and Chromium's console line). */
async function openWatched(browser: Browser, url: string) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  context.setDefaultTimeout(10_000);
  const page: Page = await context.newPage();
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (/Content.Security.Policy/i.test(msg.text())) violations.push(msg.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`Content-Security-Policy violation: ${e.effectiveDirective} ${e.blockedURI}`);
    });
  });
  const response = await page.goto(url);
  assert.ok(response, "no response for the page");
  return { context, page, violations, headers: response.headers() };
}

describe("npm start's CloudFront site (prod) in Chromium, under its security headers", function () {
  this.timeout(180_000);
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  it("sends the policy's headers, and the page signs in, adds a note and shuffles a mood with no violation", async () => {
    await withProdStack({}, async (local) => {
      assert.match(local.siteUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
      const { context, page, violations, headers } = await openWatched(browser, local.siteUrl);
      try {
        const csp = headers["content-security-policy"];
        assert.equal(csp, local.app.site.headers?.["Content-Security-Policy"]);
        // The program's API and Cognito origins, as their local stand-ins.
        assert.match(
          csp,
          new RegExp(
            `connect-src ${new URL(local.apiUrl).origin} ${local.cognito!.endpoint.replace(/\/$/, "")};`,
          ),
        );
        assert.match(csp, /script-src 'self'; style-src 'self';.*frame-ancestors 'none'/);
        assert.equal(headers["strict-transport-security"], "max-age=63072000; includeSubDomains");
        assert.equal(headers["x-content-type-options"], "nosniff");
        assert.equal(headers["x-frame-options"], "DENY");
        assert.equal(headers["referrer-policy"], "strict-origin-when-cross-origin");

        await signIn(page, DEMO.email, DEMO.password);
        assert.equal((await addNote(page, "Written under the CSP")).kind, "success");
        assert.match((await shuffleMood(page)).result, /^\w+ is now \w+\.$/);
        assert.deepEqual(violations, []);
      } finally {
        await context.close();
      }
    });
  });

  it("shows a CSP mistake locally: without Cognito in connect-src, signing in is blocked and reported", async () => {
    const dropCognito = (recorded: RecordedStack) => {
      const policy = recorded.resources.find((r) => r.type === POLICY);
      assert.ok(policy, "the program declares no response headers policy");
      const config = policy.inputs.securityHeadersConfig as {
        contentSecurityPolicy: { contentSecurityPolicy: string };
      };
      const before = config.contentSecurityPolicy.contentSecurityPolicy;
      config.contentSecurityPolicy.contentSecurityPolicy = before.replace(
        / https:\/\/cognito-idp\.[^ ;]+/,
        "",
      );
      assert.notEqual(config.contentSecurityPolicy.contentSecurityPolicy, before);
    };
    await withProdStack({ rewrite: dropCognito }, async (local) => {
      const { context, page, violations } = await openWatched(browser, local.siteUrl);
      try {
        await page.getByLabel("Email").fill(DEMO.email);
        await page.getByLabel("Password").fill(DEMO.password);
        await page.getByTestId("auth-submit").click();
        assert.equal((await statusAfterAction(page)).kind, "error");
        assert.ok(
          violations.some(
            (v) => /connect-src/.test(v) && v.includes(new URL(local.cognito!.endpoint).host),
          ),
          violations.join("\n"),
        );
      } finally {
        await context.close();
      }
    });
  });
});
