// Starts the real `circle` binary on an ephemeral port and talks plain HTTP to it.
//
// One server per test file: `const server = await startServer()` in a `before` hook and
// `await server.stop()` in `after`. The binary is `$CIRCLE_BIN`, or the debug build of
// the repository. Server output is kept in memory and printed only when it fails to
// start, or always when `TEST_LOG` is set.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CIRCLE_BIN = process.env.CIRCLE_BIN || path.join(REPO, 'target', 'debug', 'circle');

const READY = /circle listening on (http:\/\/[^\s:]+:(\d+))/;
const START_TIMEOUT_MS = 20_000;

/** Spawns the server with a fresh data dir; resolves once it printed its address. */
export async function startServer(extraArgs = []) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'circle-interop-'));
  const args = ['--port', '0', '--bind', '127.0.0.1', '--data-dir', dataDir, ...extraArgs];
  const child = spawn(CIRCLE_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  const keep = (chunk) => {
    const text = chunk.toString();
    output.push(text);
    if (process.env.TEST_LOG) process.stderr.write(text);
  };
  child.stderr.on('data', keep);

  const url = await new Promise((resolve, reject) => {
    let stdout = '';
    const fail = (why) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}\ncommand: ${CIRCLE_BIN} ${args.join(' ')}\noutput:\n${output.join('')}`));
    };
    const timer = setTimeout(() => fail(`server did not print its address within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.on('error', (err) => fail(`cannot start the server: ${err.message}`));
    child.on('exit', (code, signal) => fail(`server exited early (code ${code}, signal ${signal})`));
    child.stdout.on('data', (chunk) => {
      keep(chunk);
      stdout += chunk.toString();
      const m = READY.exec(stdout);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(`http://127.0.0.1:${m[2]}`);
      }
    });
  });

  return {
    url,
    output: () => output.join(''),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const hard = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(hard);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A plain HTTP request; resolves with `{status, headers, body}` (body as text). */
export function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.setTimeout(3000, () => req.destroy(new Error(`HTTP ${method} ${url} timed out`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** `POST /groups`; returns the created group (with `access_code` and `owner_token`). */
export async function createGroup(server, fields = {}) {
  const group = {
    name: 'Interop circle',
    description: 'A group made by the interop tests',
    ...fields,
  };
  const res = await request(`${server.url}/groups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(group),
  });
  if (res.status !== 201) {
    throw new Error(`POST /groups answered ${res.status}: ${res.body}`);
  }
  const created = JSON.parse(res.body);
  if (typeof created.access_code !== 'string' || !created.access_code) {
    throw new Error(`POST /groups answered without access_code: ${res.body}`);
  }
  return created;
}
