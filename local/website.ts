// S3 static website hosting on loopback, from the objects the program uploads: index and error
// documents, object metadata, ETags and S3's own error pages. For a CloudFront site, what the
// distribution changes: HTTPS (a certificate for loopback), the default root object for "/"
// only, the error document for any missing key, and the response headers policy's headers on
// every response.
import { createHash, randomBytes } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { LocalObject, LocalSite } from "./model";
import { listen } from "./listen";

export interface WebsiteOptions {
  site: LocalSite;
  host?: string;
  port?: number;
  /** Serve HTTPS with this key and certificate (PEM), as CloudFront does. */
  tls?: { key: string; cert: string };
}

export interface Website {
  /** `http://host:port`, the website endpoint's stand-in. */
  url: string;
  port: number;
  /** Serves these objects and headers from the next request on (`npm start`'s reload). */
  setSite(site: LocalSite): void;
  close(): Promise<void>;
}

interface Served {
  object: LocalObject;
  etag: string;
  lastModified: string;
}

/** S3's HTML error page, as the website endpoint writes it. */
function errorPage(status: string, code: string, message: string, key?: string): string {
  const items = [`Code: ${code}`, `Message: ${message}`];
  if (key !== undefined) items.push(`Key: ${key}`);
  items.push(`RequestId: ${randomBytes(8).toString("hex").toUpperCase()}`);
  const list = items.map((item) => `<li>${escapeHtml(item)}</li>`).join("\n");
  return `<html>\n<head><title>${status}</title></head>\n<body>\n<h1>${status}</h1>\n<ul>\n${list}\n</ul>\n<hr/>\n</body>\n</html>\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function decode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export async function startWebsite(options: WebsiteOptions): Promise<Website> {
  let site = options.site;
  // The hosting is chosen when the server starts (HTTPS or not), so a reload keeps it.
  const cloudfront = site.hosting === "cloudfront";
  // CloudFront adds the policy's headers to every response, errors included.
  let edgeHeaders = site.headers ?? {};
  let objects = new Map<string, Served>();
  const setSite = (next: LocalSite) => {
    // Each object as uploaded: its modification time is its upload's, so an unchanged one keeps
    // both its ETag and its Last-Modified across a reload.
    const uploaded = new Date().toUTCString();
    const previous = objects;
    objects = new Map(
      next.objects.map((object) => {
        const etag = `"${createHash("md5").update(object.body).digest("hex")}"`;
        const kept = previous.get(object.key);
        const same = kept?.etag === etag && kept.object.contentType === object.contentType;
        return [object.key, { object, etag, lastModified: same ? kept.lastModified : uploaded }];
      }),
    );
    edgeHeaders = next.headers ?? {};
    site = next;
  };
  setSite(site);

  function send(res: http.ServerResponse, status: number, served: Served): void {
    const { object, etag, lastModified } = served;
    const headers: http.OutgoingHttpHeaders = {
      ...edgeHeaders,
      ETag: etag,
      "Last-Modified": lastModified,
    };
    if (object.cacheControl) headers["Cache-Control"] = object.cacheControl;
    if (status === 304) {
      res.writeHead(status, headers).end();
      return;
    }
    headers["Content-Type"] = object.contentType;
    headers["Content-Length"] = object.body.length;
    res.writeHead(status, headers).end(object.body);
  }

  function sendPage(res: http.ServerResponse, status: number, page: string, allow?: string) {
    res.writeHead(status, {
      ...edgeHeaders,
      "Content-Type": "text/html; charset=utf-8",
      "Content-Length": Buffer.byteLength(page),
      ...(allow ? { Allow: allow } : {}),
    });
    res.end(page);
  }

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      const message = "The specified method is not allowed against this resource.";
      sendPage(
        res,
        405,
        errorPage("405 Method Not Allowed", "MethodNotAllowed", message),
        "GET, HEAD",
      );
      return;
    }
    let key = decode((req.url ?? "/").split("?")[0].slice(1));
    // CloudFront's default root object answers "/" alone; S3 websites index every folder.
    if (key === "" || (!cloudfront && key.endsWith("/"))) key += site.indexDocument;
    const found = objects.get(key);
    if (found) {
      const tags = (req.headers["if-none-match"] ?? "").split(",").map((t) => t.trim());
      const fresh = tags.includes(found.etag) || tags.includes("*");
      send(res, fresh ? 304 : 200, found);
      return;
    }
    // A folder named without its slash is redirected to it, as S3 does.
    if (!cloudfront && objects.has(`${key}/${site.indexDocument}`)) {
      res.writeHead(302, { Location: `/${key}/`, "Content-Length": 0 });
      res.end();
      return;
    }
    const errorDocument = site.errorDocument ? objects.get(site.errorDocument) : undefined;
    if (errorDocument) send(res, site.errorStatus ?? 404, errorDocument);
    else {
      const message = "The specified key does not exist.";
      sendPage(res, 404, errorPage("404 Not Found", "NoSuchKey", message, key));
    }
  };
  const server = options.tls ? https.createServer(options.tls, handle) : http.createServer(handle);
  const listening = await listen(server, options.host, options.port);
  const url = options.tls ? listening.url.replace(/^http:/, "https:") : listening.url;
  return { ...listening, url, setSite };
}
