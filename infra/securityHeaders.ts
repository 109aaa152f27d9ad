// What the browser is told about the site on every response from CloudFront: the security
// headers of the distribution's response headers policy. Built here, from the origins the page
// really calls, so `npm start` serves the very same values (read back from the program).

/** CloudFront's limit on the Content-Security-Policy value of a response headers policy. */
export const CSP_MAX_LENGTH = 1783;

/** Two years, with subdomains: the value HSTS preload lists ask for. */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/**
 * The page may load only its own scripts, styles and images (the favicon is a `data:` URL), call
 * only the given origins (the API, Cognito), never be framed, and send forms only to itself.
 * No `'unsafe-inline'`: the page has no inline script or style.
 */
export function contentSecurityPolicy(connectOrigins: string[]): string {
  for (const origin of connectOrigins) {
    if (!ORIGIN.test(origin)) {
      throw new Error(
        `contentSecurityPolicy takes origins (scheme://host[:port]), not "${origin}"`,
      );
    }
  }
  const policy = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${[...new Set(connectOrigins)].join(" ")}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  if (policy.length > CSP_MAX_LENGTH) {
    throw new Error(
      `the Content-Security-Policy is ${policy.length} characters; CloudFront takes ${CSP_MAX_LENGTH}`,
    );
  }
  return policy;
}

/** An origin from a URL such as Cognito's endpoint `https://cognito-idp.<region>.amazonaws.com/`. */
export function originOf(url: string): string {
  return new URL(url).origin;
}
