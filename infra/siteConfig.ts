// The `config.js` that tells the static site where its API is. The site loads it before app.js,
// so nothing about the deployment is hard-coded in `site/`.
export interface SiteRuntimeConfig {
  /** The API's base URL, the stage included, without a trailing slash. */
  apiUrl: string;
  /** Where the page signs people in: the user pool's app client and Cognito's JSON API. */
  auth: SiteAuthConfig;
}

export interface SiteAuthConfig {
  region: string;
  userPoolId: string;
  clientId: string;
  /** Cognito's API endpoint, `https://cognito-idp.<region>.amazonaws.com/` on AWS. */
  endpoint: string;
}

/** Cognito's public API endpoint in a region (the emulator's URL replaces it on a laptop). */
export function cognitoEndpoint(region: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/`;
}

export function siteConfigScript(config: SiteRuntimeConfig): string {
  return `window.SERVERLESS_NOTES_CONFIG = ${JSON.stringify(config, null, 2)};\n`;
}
