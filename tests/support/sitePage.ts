// Drives the notes page in headless Chromium the way a person does: by labels, buttons and the
// status area. Shared by the site tests and the local-stack end-to-end test.
import * as assert from "node:assert/strict";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Debian's Chromium; playwright-core never downloads a browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** A page plus everything it logged and requested, checked by `assertCleanSession`. */
export interface Session {
  context: BrowserContext;
  page: Page;
  consoleErrors: string[];
  requests: string[];
  /** The `Authorization` header of each request that had one. */
  authorizations: string[];
  /** The Cognito action (`X-Amz-Target` without its service) of each call to Cognito's API. */
  cognitoTargets: string[];
}

export async function openSession(
  browser: Browser,
  url: string,
  viewport?: { width: number; height: number },
): Promise<Session> {
  const context = await browser.newContext(viewport ? { viewport } : {});
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const session: Session = {
    context,
    page,
    consoleErrors: [],
    requests: [],
    authorizations: [],
    cognitoTargets: [],
  };
  page.on("console", (msg) => {
    if (msg.type() === "error") session.consoleErrors.push(msg.text());
  });
  page.on("pageerror", (err) => session.consoleErrors.push(`pageerror: ${err.message}`));
  page.on("request", (req) => {
    session.requests.push(req.url());
    const headers = req.headers();
    if (headers.authorization) session.authorizations.push(headers.authorization);
    const target = headers["x-amz-target"];
    if (target) session.cognitoTargets.push(target.replace(/^.*\./, ""));
  });
  await page.goto(url);
  return session;
}

/**
 * No console errors except Chromium's own "Failed to load resource" line for each expected
 * API error status, and no request anywhere but the given origins.
 */
export function assertCleanSession(
  session: Session,
  origins: string[],
  expectedStatuses: number[] = [],
): void {
  const unexpected = session.consoleErrors.filter((text) => {
    const failed = /^Failed to load resource: the server responded with a status of (\d+)/.exec(
      text,
    );
    return !(failed && expectedStatuses.includes(Number(failed[1])));
  });
  assert.deepEqual(unexpected, [], "console errors on the page");
  const elsewhere = session.requests.filter((url) => !origins.some((o) => url.startsWith(`${o}/`)));
  assert.deepEqual(elsewhere, [], "requests to anything but the local servers");
}

/** Waits until the page lists `userId`'s notes, failing early with what the page says. */
export async function waitForNotesOf(page: Page, userId: string): Promise<void> {
  const loaded = `[data-testid="notes-section"][data-loaded-for="${userId}"]:not([aria-busy])`;
  await page.waitForSelector(`${loaded}, [data-testid="status"][data-kind="error"]`);
  const status = await page.getByTestId("status").textContent();
  assert.equal(await page.locator(loaded).count(), 1, `the notes did not load: ${status}`);
}

/** Waits until the signed-in page lists someone's notes; returns whose (the ID token's `sub`). */
export async function waitForSignedIn(page: Page): Promise<string> {
  const loaded = '[data-testid="notes-section"][data-loaded-for]:not([aria-busy])';
  await page.waitForSelector(`${loaded}, [data-testid="status"][data-kind="error"]`);
  const status = await page.getByTestId("status").textContent();
  assert.equal(await page.locator(loaded).count(), 1, `not signed in: ${status}`);
  return (await page.locator(loaded).getAttribute("data-loaded-for")) ?? "";
}

/** Signs in with the page's form; returns the signed-in person's `sub`. */
export async function signIn(page: Page, email: string, password: string): Promise<string> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByTestId("auth-submit").click();
  return waitForSignedIn(page);
}

/** Creates an account with the page's form; the page then asks for the emailed code. */
export async function signUp(
  page: Page,
  email: string,
  password: string,
): Promise<{ kind: string; text: string }> {
  const toSignUp = page.getByTestId("show-sign-up");
  if (await toSignUp.isVisible()) await toSignUp.click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByTestId("auth-submit").click();
  return statusAfterAction(page);
}

/** The code cognito-local "emailed" to `email` last: read from its log, as a person reads mail. */
export function codeEmailedTo(cognitoLog: readonly string[], email: string): string {
  for (let i = cognitoLog.length - 1; i >= 0; i--) {
    if (!cognitoLog[i].includes(`Destination: ${email} `)) continue;
    const code = /Code:\s+(\d+)/.exec(cognitoLog[i + 1] ?? "");
    if (code) return code[1];
  }
  assert.fail(`no code was emailed to ${email}:\n${cognitoLog.join("\n")}`);
}

/** Enters the emailed code; right after signing up the page then signs in: returns the `sub`. */
export async function confirmCode(page: Page, code: string): Promise<string> {
  await page.getByLabel("Confirmation code").fill(code);
  await page.getByTestId("auth-submit").click();
  return waitForSignedIn(page);
}

/** What the page keeps in localStorage, by key. */
export const storedItems = (page: Page) =>
  page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));

/** Waits for the outcome of the action just started and returns what the status area says. */
export async function statusAfterAction(page: Page): Promise<{ kind: string; text: string }> {
  const status = page.getByTestId("status");
  await page.waitForSelector('[data-testid="status"]:not([data-kind="idle"])');
  await page.waitForSelector("[aria-busy]", { state: "detached" });
  assert.equal(await status.getAttribute("role"), "status");
  return {
    kind: (await status.getAttribute("data-kind")) ?? "",
    text: (await status.textContent()) ?? "",
  };
}

export const noteTexts = (page: Page) => page.getByTestId("note-text").allTextContents();

export const noteItem = (page: Page, text: string) =>
  page
    .getByTestId("note-item")
    .filter({ has: page.getByTestId("note-text").getByText(text, { exact: true }) });

export async function addNote(page: Page, text: string): Promise<{ kind: string; text: string }> {
  await page.getByLabel("New note").fill(text);
  await page.getByTestId("add-note").click();
  return statusAfterAction(page);
}

/** Presses "Shuffle a mood"; returns who got which mood and the board the page then shows. */
export async function shuffleMood(
  page: Page,
): Promise<{ result: string; picked: RegExpExecArray | null; board: string[] }> {
  await page.getByTestId("shuffle-mood").click();
  await page.waitForSelector('[data-testid="shuffle-mood"]:not([aria-busy])');
  await page.waitForSelector('[data-testid="moods-board"]', { state: "visible" });
  const result = (await page.getByTestId("mood-result").textContent()) ?? "";
  const names = await page.getByTestId("mood-name").allTextContents();
  const statuses = await page.getByTestId("mood-status").allTextContents();
  return {
    result,
    picked: /^(\w+) is now (\w+)\.$/.exec(result),
    board: names.map((name, i) => `${name}: ${statuses[i]}`),
  };
}
