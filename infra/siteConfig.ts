// The `config.js` that tells the static site where its API is. The site loads it before app.js,
// so nothing about the deployment is hard-coded in `site/`.
export interface SiteRuntimeConfig {
  /** The API's base URL, the stage included, without a trailing slash. */
  apiUrl: string;
}

export function siteConfigScript(config: SiteRuntimeConfig): string {
  return `window.SERVERLESS_NOTES_CONFIG = ${JSON.stringify(config, null, 2)};\n`;
}
