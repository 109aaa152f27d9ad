// The local S3 website endpoint against hand-built objects: index and error documents, object
// metadata, conditional GETs and S3's own error pages.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { LocalObject, LocalSite } from "../../local/model";
import { startWebsite, type Website } from "../../local/website";
import { localizeOrigins, securityHeaders } from "../../local/cloudfront";

const object = (key: string, contentType: string, body: string | Buffer, cacheControl?: string) =>
  ({ key, contentType, cacheControl, body: Buffer.from(body) }) satisfies LocalObject;

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0xff]);
const objects: LocalObject[] = [
  object("index.html", "text/html; charset=utf-8", "<h1>Notes</h1>", "no-cache"),
  object("error.html", "text/html; charset=utf-8", "<h1>Lost</h1>", "no-cache"),
  object("styles.css", "text/css", "body { margin: 0 }", "public, max-age=300"),
  object("config.js", "application/javascript", "window.config = {};"),
  object("docs/index.html", "text/html", "<h1>Docs</h1>"),
  object("img/logo v2.png", "image/png", png),
];

const md5 = (body: Buffer) => `"${createHash("md5").update(body).digest("hex")}"`;

async function withSite(site: LocalSite, run: (url: string) => Promise<void>): Promise<void> {
  const website: Website = await startWebsite({ site });
  try {
    await run(website.url);
  } finally {
    await website.close();
  }
}

describe("local S3 website", () => {
  let website: Website;
  let url: string;

  before(async () => {
    website = await startWebsite({
      site: {
        bucket: "notes-site",
        indexDocument: "index.html",
        errorDocument: "error.html",
        objects,
      },
    });
    url = website.url;
  });
  after(() => website.close());

  it("serves the index document on /", async () => {
    const response = await fetch(`${url}/`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "<h1>Notes</h1>");
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
  });

  it("serves a folder's index document on a key ending in /", async () => {
    const response = await fetch(`${url}/docs/`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "<h1>Docs</h1>");
  });

  it("redirects a folder named without its slash", async () => {
    const response = await fetch(`${url}/docs`, { redirect: "manual" });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get("location"), "/docs/");
  });

  it("serves each object with its content type, cache header, ETag, length and date", async () => {
    for (const { key, contentType, cacheControl, body } of objects) {
      const path = key.split("/").map(encodeURIComponent).join("/");
      const response = await fetch(`${url}/${path}?ignored=1`);
      assert.equal(response.status, 200, key);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), body, key);
      assert.equal(response.headers.get("content-type"), contentType, key);
      assert.equal(response.headers.get("cache-control"), cacheControl ?? null, key);
      assert.equal(response.headers.get("etag"), md5(body), key);
      assert.equal(response.headers.get("content-length"), String(body.length), key);
      const modified = Date.parse(response.headers.get("last-modified") ?? "");
      assert.ok(modified > Date.now() - 60_000 && modified <= Date.now(), key);
    }
  });

  it("answers 304 to a matching If-None-Match, 200 to another", async () => {
    const etag = md5(Buffer.from("body { margin: 0 }"));
    const cached = await fetch(`${url}/styles.css`, { headers: { "If-None-Match": etag } });
    assert.equal(cached.status, 304);
    assert.equal(cached.headers.get("etag"), etag);
    assert.equal(await cached.text(), "");
    const listed = await fetch(`${url}/styles.css`, {
      headers: { "If-None-Match": `"other", ${etag}` },
    });
    assert.equal(listed.status, 304);
    const stale = await fetch(`${url}/styles.css`, { headers: { "If-None-Match": '"other"' } });
    assert.equal(stale.status, 200);
    assert.equal(await stale.text(), "body { margin: 0 }");
  });

  it("answers HEAD with the headers and no body", async () => {
    const response = await fetch(`${url}/config.js`, { method: "HEAD" });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/javascript");
    assert.equal(response.headers.get("content-length"), String("window.config = {};".length));
    assert.equal(await response.text(), "");
  });

  it("answers a missing key with 404 and the error document", async () => {
    const response = await fetch(`${url}/nothing.html`);
    assert.equal(response.status, 404);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await response.text(), "<h1>Lost</h1>");
  });

  it("answers a missing key with S3's NoSuchKey page when there is no error document", async () => {
    const sites: LocalSite[] = [
      { bucket: "plain", indexDocument: "index.html", objects },
      { bucket: "broken", indexDocument: "index.html", errorDocument: "gone.html", objects },
    ];
    for (const site of sites) {
      await withSite(site, async (siteUrl) => {
        const response = await fetch(`${siteUrl}/missing%20file.txt`);
        assert.equal(response.status, 404, site.bucket);
        assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
        const page = await response.text();
        assert.match(page, /<h1>404 Not Found<\/h1>/);
        assert.match(page, /Code: NoSuchKey/);
        assert.match(page, /Key: missing file.txt/);
      });
    }
  });

  for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
    it(`answers ${method} with 405`, async () => {
      const response = await fetch(`${url}/index.html`, { method, body: "x" });
      assert.equal(response.status, 405);
      assert.match(await response.text(), /MethodNotAllowed/);
    });
  }
});

describe("local CloudFront site", () => {
  const headers = { "Content-Security-Policy": "default-src 'none'", "X-Frame-Options": "DENY" };
  const cloudfront: LocalSite = {
    bucket: "notes-site",
    hosting: "cloudfront",
    indexDocument: "index.html",
    errorDocument: "error.html",
    errorStatus: 404,
    headers,
    objects,
  };

  it("answers / with the default root object and the policy's headers", () =>
    withSite(cloudfront, async (url) => {
      const response = await fetch(`${url}/`);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "<h1>Notes</h1>");
      assert.equal(response.headers.get("content-security-policy"), "default-src 'none'");
      assert.equal(response.headers.get("x-frame-options"), "DENY");
    }));

  it("has no folder index: a folder is a missing key, answered with the error document", () =>
    withSite(cloudfront, async (url) => {
      for (const missing of ["/docs/", "/docs", "/nothing.txt"]) {
        const response = await fetch(`${url}${missing}`, { redirect: "manual" });
        assert.equal(response.status, 404, missing);
        assert.equal(await response.text(), "<h1>Lost</h1>");
        assert.equal(response.headers.get("content-security-policy"), "default-src 'none'");
      }
    }));
});

describe("the CloudFront site's headers, as npm start reads them from the program", () => {
  it("are the headers CloudFront sends for the policy's security headers config", () => {
    assert.deepEqual(
      securityHeaders({
        contentSecurityPolicy: { contentSecurityPolicy: "default-src 'self'" },
        strictTransportSecurity: { accessControlMaxAgeSec: 600, includeSubdomains: true },
        contentTypeOptions: {},
        frameOptions: { frameOption: "SAMEORIGIN" },
        referrerPolicy: { referrerPolicy: "no-referrer" },
      }),
      {
        "Content-Security-Policy": "default-src 'self'",
        "Strict-Transport-Security": "max-age=600; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "SAMEORIGIN",
        "Referrer-Policy": "no-referrer",
      },
    );
  });

  it("name the local stand-ins where the CSP names the cloud's origins, and nothing else changes", () => {
    const cloud = "https://abc.execute-api.ap-northeast-2.amazonaws.com";
    assert.equal(
      localizeOrigins(`default-src 'none'; connect-src ${cloud} ${cloud}x; img-src 'self'`, {
        [cloud]: "http://127.0.0.1:3001",
      }),
      `default-src 'none'; connect-src http://127.0.0.1:3001 ${cloud}x; img-src 'self'`,
    );
  });
});
