// The browser harness of the end-to-end suites: Debian's Chromium driven by playwright-core,
// guards that fail a step when the webapps misbehave (a browser Basic-auth challenge, a JavaScript
// dialog, a lost session), screenshots, and a runner that executes steps in order and prints one
// line per step and a closing "N passed, N failed".
//
// A suite is a list of steps: { name, run: async (t) => {...} }. `t` carries the page, the
// server's base URL, the admin password, `t.shot(name)` for a screenshot and `t.state` for what
// one step hands to the next. See operator-view.mjs.

import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CHROMIUM = process.env.AIFLOW_E2E_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What the Camunda webapps print when their session was lost (the bug this suite guards). */
const EXPIRED = /session might have expired|authentication failed/i;

/** Parses `node <suite> <baseUrl> <adminPassword> <outDir>`; exits 2 with a usage line. */
export function args(suite) {
  const [baseUrl, password, outDir] = process.argv.slice(2);
  if (!baseUrl || !password || !outDir) {
    console.error(`usage: node ${suite} <baseUrl> <adminPassword> <outDir>`);
    process.exit(2);
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`Chromium is not installed at ${CHROMIUM}: apt-get install chromium (.ci/run does)`);
    process.exit(2);
  }
  return { baseUrl: baseUrl.replace(/\/$/, ''), password, outDir: resolve(outDir) };
}

/** Launches Chromium with a fresh user-data dir and runs the steps; exits 0 when all pass. */
export async function run(steps, { baseUrl, password, outDir }) {
  mkdirSync(outDir, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'aiflow-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(30_000);
  const page = context.pages()[0] || (await context.newPage());
  const problems = [];
  const t = {
    page,
    context,
    baseUrl,
    password,
    outDir,
    state: { signedIn: false },
    shots: [],
    async shot(name) {
      // let the page finish its requests (spinners, counts) before it is captured
      await page.waitForLoadState('networkidle').catch(() => {});
      const file = join(outDir, `${name}.png`);
      await page.screenshot({ path: file });
      t.shots.push(file);
      return file;
    },
    /** Forgets the session (as a fresh browser would), so the next app shows its login form. */
    async signOut() {
      await context.clearCookies();
      t.state.signedIn = false;
    },
  };
  watch(t, problems);

  const results = [];
  let failed = false;
  for (const step of steps) {
    if (failed) {
      results.push({ name: step.name, status: 'not run' });
      console.log(`not run - ${step.name} (an earlier step failed)`);
      continue;
    }
    const started = Date.now();
    try {
      await step.run(t);
      await noExpiredNotice(t, problems);
      if (problems.length) throw new Error(problems.splice(0).join('; '));
      results.push({ name: step.name, status: 'passed', ms: Date.now() - started });
      console.log(`ok - ${step.name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed = true;
      results.push({ name: step.name, status: 'failed', error: String(error.message || error) });
      console.log(`FAIL - ${step.name}: ${error.message || error}`);
      try {
        await t.shot(`failed-${slug(step.name)}`);
      } catch (e) {
        // the page may be gone; the message above says why
      }
    }
  }
  await context.close();
  rmSync(profile, { recursive: true, force: true });

  const passed = results.filter((r) => r.status === 'passed').length;
  const notPassed = results.length - passed;
  writeFileSync(join(outDir, 'report.json'), JSON.stringify({ baseUrl, results, screenshots: t.shots }, null, 2));
  console.log(`${passed} passed, ${notPassed} failed`);
  process.exit(notPassed === 0 ? 0 : 1);
}

/** Guards on every response and dialog of the page, for every step. */
function watch(t, problems) {
  // the requests still open, named when a page stalls (see signedIn)
  t.inFlight = new Set();
  t.page.on('request', (request) => t.inFlight.add(request));
  t.page.on('requestfinished', (request) => t.inFlight.delete(request));
  t.page.on('requestfailed', (request) => t.inFlight.delete(request));
  t.page.on('response', (response) => {
    const challenge = response.headers()['www-authenticate'];
    if (challenge) {
      // this is what makes a browser pop up its own Basic-auth box
      problems.push(`${response.url()} challenged the browser with WWW-Authenticate: ${challenge}`);
    }
    if (t.state.signedIn && response.status() === 401 && response.url().includes('/camunda/api/')) {
      problems.push(`signed in, but ${response.url()} answered 401: the session was lost`);
    }
  });
  t.page.on('dialog', async (dialog) => {
    problems.push(`the page opened a ${dialog.type()} dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
}

async function noExpiredNotice(t, problems) {
  const text = await t.page.evaluate(() => document.body ? document.body.innerText : '');
  const found = text.match(EXPIRED);
  if (found) problems.push(`the page says "${found[0]}"`);
}

/**
 * Signs in through an app's own login form (cockpit, tasklist or admin) and waits until the app
 * shows the signed-in header.
 */
export async function loginThroughForm(t, app, user = 'admin', password = t.password) {
  const { page } = t;
  await page.goto(`${t.baseUrl}/camunda/app/${app}/default/`);
  const form = page.locator('form[name="signinForm"]');
  try {
    await form.waitFor({ state: 'visible', timeout: 20000 });
  } catch (e) {
    // seen once in CI: Tasklist's bootstrap stalled on its spinner right after the cookies were
    // cleared (no failed request, the server idle); a reload is what a person would do. A page
    // that stalls twice fails the step.
    console.log(`note - the ${app} login page did not finish loading in 20 s (${openRequests(t)}); reloading once`);
    await page.reload();
    await form.waitFor({ state: 'visible' });
  }
  await form.locator('input[type="text"]').fill(user);
  await form.locator('input[type="password"]').fill(password);
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().includes(`/camunda/api/admin/auth/user/default/login/${app}`)
      && r.request().method() === 'POST'),
    form.locator('button[type="submit"]').click(),
  ]);
  if (answer.status() !== 200) {
    throw new Error(`the ${app} login answered ${answer.status()}`);
  }
  t.state.signedIn = true;
  await signedIn(t, app);
}

/** The paths of the requests the page still waits for, for a stall's note. */
function openRequests(t) {
  const paths = [...(t.inFlight || [])].map((r) => new URL(r.url()).pathname);
  return paths.length ? `still waiting for ${paths.join(', ')}` : 'no request open';
}

/**
 * Waits until `app` shows its signed-in header (and no login form). A page still on the webapp's
 * loading spinner after 20 s is reloaded once, as for the login page (seen in CI on a slow
 * machine: Cockpit stalled on its spinner with the session signed in); a second stall fails the
 * step. A login form is no stall: it gets the usual 30 s in all, then fails the step.
 */
export async function signedIn(t, app) {
  const { page } = t;
  const header = page.locator(`[cam-widget-header][current-app="${app}"] a.navbar-brand`);
  try {
    await header.waitFor({ state: 'visible', timeout: 20000 });
  } catch (e) {
    if (await page.locator('form[name="signinForm"]').isVisible()) {
      // not a stall: the app is up and asks for a login; the usual 30 s in all, then fail
      try {
        await header.waitFor({ state: 'visible', timeout: 10000 });
      } catch (stillForm) {
        throw new Error(`${app} shows its login form although the session is signed in`);
      }
    } else {
      console.log(`note - ${app} did not finish loading in 20 s (${openRequests(t)}); reloading once`);
      await page.reload();
      await header.waitFor({ state: 'visible' });
    }
  }
  if (await page.locator('form[name="signinForm"]').isVisible()) {
    throw new Error(`${app} shows its login form although the session is signed in`);
  }
}

/** Opens a page of an app and asserts the session still holds there. */
export async function openSignedIn(t, app, hash = '') {
  await t.page.goto(`${t.baseUrl}/camunda/app/${app}/default/${hash}`);
  await signedIn(t, app);
}

function slug(name) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
