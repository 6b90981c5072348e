// Test harness: starts the real server and Debian's Chromium, one browser
// context per simulated member.

import { spawn } from 'node:child_process';
import { after, before } from 'node:test';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'target', 'browser-screenshots');
/** Screenshots of new screens, committed for review. */
export const COMMITTED_SCREENSHOT_DIR = path.join(REPO_ROOT, 'tests', 'browser', 'screenshots');

const SERVER_START_TIMEOUT_MS = 30_000;
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Spawns `circle --port 0` on a fresh data dir, with `args` added (e.g. a short
 * `--resume-window`), and resolves once it prints "circle listening on
 * http://127.0.0.1:PORT". Returns {baseUrl, stop, output}.
 */
export async function startServer({ args = [] } = {}) {
  const bin = process.env.CIRCLE_BIN || path.join(REPO_ROOT, 'target', 'debug', 'circle');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'circle-browser-'));
  const child = spawn(bin, ['--port', '0', '--bind', '127.0.0.1', '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  const output = [];
  const remember = (chunk) => {
    output.push(chunk.toString());
    if (output.length > 500) output.shift();
  };
  child.stderr.on('data', remember);

  const baseUrl = await new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => fail(new Error(`server did not report its port within ${SERVER_START_TIMEOUT_MS} ms`)), SERVER_START_TIMEOUT_MS);
    function fail(err) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      err.message += `\n--- server output ---\n${output.join('')}`;
      reject(err);
    }
    child.on('error', (err) => fail(new Error(`cannot start ${bin}: ${err.message}`)));
    child.on('exit', (code, signal) => fail(new Error(`server exited early (code ${code}, signal ${signal})`)));
    child.stdout.on('data', (chunk) => {
      remember(chunk);
      buffer += chunk.toString();
      const match = /circle listening on (http:\/\/[^\s]+?:(\d+))\s/.exec(buffer);
      if (match) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(`http://127.0.0.1:${match[2]}`);
      }
    });
  });

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  }

  return { baseUrl, stop, output };
}

/** Launches headless Chromium (Debian's package, never a downloaded build). */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A simulated member: its own browser context (own storage, own sockets).
 * Collects page errors and dialogs, which the tests expect to stay empty.
 */
export async function newMember(browser, baseUrl, { width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width, height } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = { pageErrors: [], dialogs: [] };
  page.on('pageerror', (err) => problems.pageErrors.push(String(err)));
  if (process.env.CIRCLE_DEBUG_WS) {
    // Prints every Socket.IO frame, tagged with the member's viewport, for debugging.
    const tag = `[${width}px]`;
    page.on('websocket', (ws) => {
      ws.on('framesent', (f) => console.log(tag, '>>', f.payload));
      ws.on('framereceived', (f) => console.log(tag, '<<', f.payload));
      ws.on('close', () => console.log(tag, 'websocket closed'));
    });
    page.on('console', (m) => console.log(tag, 'console', m.type(), m.text()));
  }
  page.on('dialog', async (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss();
  });
  return { context, page, problems };
}

/**
 * For the `describe` it is called in: starts a server (with `serverArgs` added, see
 * startServer) and Chromium before the tests, with one member per entry of `viewports`
 * ({name: {width, height}}), and stops both after. Returns {server, members}, filled in
 * once the tests run.
 */
export function suiteWithMembers(viewports, { serverArgs = [] } = {}) {
  const suite = { server: null, browser: null, members: {} };
  before(async () => {
    suite.server = await startServer({ args: serverArgs });
    suite.browser = await launchBrowser();
    for (const [name, viewport] of Object.entries(viewports)) {
      suite.members[name] = await newMember(suite.browser, suite.server.baseUrl, viewport);
    }
  });
  after(async () => {
    if (suite.browser) await suite.browser.close();
    if (suite.server) await suite.server.stop();
  });
  return suite;
}

export async function ensureScreenshotDir() {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return SCREENSHOT_DIR;
}

/**
 * Saves the page at 375 and at 1280 px wide as `<name>-375.png` and `<name>-1280.png` in
 * tests/browser/screenshots/, then gives it its own size back.
 */
export async function screenshotBothWidths(page, name) {
  await mkdir(COMMITTED_SCREENSHOT_DIR, { recursive: true });
  const original = page.viewportSize();
  for (const [width, height] of [[375, 740], [1280, 800]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: path.join(COMMITTED_SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(original);
}

/**
 * The page's network as the browser sees it (DevTools emulation), like a lost signal:
 * offline() stalls its open connections without closing them (half-open) and fails new
 * ones, and the page gets an `offline` event; online() lets the traffic through again.
 */
export async function network(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const emulate = (offline) =>
    cdp.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  return { offline: () => emulate(true), online: () => emulate(false) };
}

/**
 * Routes a page's Socket.IO WebSockets through the test, like a network cable
 * the test can pull: cut() closes the open connections and refuses new ones
 * until restore(). The server sees a plain disconnect. stall() makes the open
 * connections swallow what the server sends from then on (with `alsoFromPage`, what
 * the page sends too), as a dead link does before anyone notices; new connections work.
 * double() makes every connection deliver each frame from the server twice, as a replay
 * overlapping what already arrived would.
 */
export async function cable(page) {
  let cut = false;
  let copies = 1;
  const open = new Set();
  await page.routeWebSocket(/\/socket\.io\//, (pageSide) => {
    if (cut) {
      pageSide.close({ code: 4000, reason: 'cable cut by the test' });
      return;
    }
    const serverSide = pageSide.connectToServer();
    const pair = { pageSide, serverSide, toPage: true, toServer: true };
    pageSide.onMessage((message) => {
      if (pair.toServer) serverSide.send(message);
    });
    serverSide.onMessage((message) => {
      if (!pair.toPage) return;
      for (let i = 0; i < copies; i += 1) pageSide.send(message);
    });
    open.add(pair);
    pageSide.onClose(() => {
      open.delete(pair);
      serverSide.close().catch(() => {});
    });
    serverSide.onClose(() => {
      open.delete(pair);
      pageSide.close().catch(() => {});
    });
  });
  return {
    double() {
      copies = 2;
    },
    stall({ alsoFromPage = false } = {}) {
      for (const pair of open) {
        pair.toPage = false;
        if (alsoFromPage) pair.toServer = false;
      }
    },
    async cut() {
      cut = true;
      const pairs = [...open];
      open.clear();
      for (const { pageSide, serverSide } of pairs) {
        await serverSide.close().catch(() => {});
        await pageSide.close({ code: 4000, reason: 'cable cut by the test' }).catch(() => {});
      }
    },
    restore() {
      cut = false;
    },
    /** How many of the page's Socket.IO WebSockets are open now. */
    openCount() {
      return open.size;
    },
  };
}

/** A gauge's value from the server's /metrics text (`circle_NAME VALUE`). */
export async function gauge(baseUrl, name) {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const match = new RegExp(`^circle_${name} (\\d+)$`, 'm').exec(text);
  if (!match) throw new Error(`/metrics has no circle_${name}:\n${text}`);
  return Number(match[1]);
}

/** Creates a group over HTTP (for tests about something else than creating). */
export async function createGroupOverHttp(baseUrl, body) {
  const response = await fetch(`${baseUrl}/groups`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST /groups answered ${response.status}: ${await response.text()}`);
  return response.json();
}
