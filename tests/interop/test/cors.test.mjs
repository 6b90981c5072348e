// docs/protocol.md section 4: CORS for credentialed long-polling from another origin (the
// original front end runs socket.io-client 2.x, whose XHR polling sends credentials, so a
// `*` answer would break it), and the websocket upgrade being offered.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CONFIGS, uniqueName } from '../lib/clients.mjs';
import { createGroup, request } from '../lib/harness.mjs';
import { pairUp, useServer } from '../lib/scenario.mjs';

const ctx = useServer();
const ORIGIN = 'http://other.example';

function assertCredentialedCors(res, what) {
  const detail = `${what}: status ${res.status}, headers ${JSON.stringify(res.headers)}`;
  assert.equal(res.headers['access-control-allow-origin'], ORIGIN, detail);
  assert.equal(res.headers['access-control-allow-credentials'], 'true', detail);
}

// Engine.IO packets as a polling POST body carries them: v3 frames each packet as
// "<length>:<packet>", v4 sends a lone packet as is.
const PACKETS = {
  3: { first: '1:2', close: '1:1' }, // ping (v3 clients ping the server), then close
  4: { first: '40', close: '1' }, // Socket.IO CONNECT to "/", then close
};

describe('raw Engine.IO polling from another origin', () => {
  for (const eio of [3, 4]) {
    test(`EIO=${eio}: handshake, poll and post reflect the Origin with credentials`, async () => {
      const base = `${ctx.server.url}/socket.io/?EIO=${eio}&transport=polling`;
      const headers = { Origin: ORIGIN };

      const hs = await request(`${base}&t=hs${eio}`, { headers });
      assert.equal(hs.status, 200, `handshake answered ${hs.status}: ${hs.body}`);
      assertCredentialedCors(hs, 'handshake');
      // The OPEN packet's JSON is flat, so the first {...} of the body is all of it.
      const open = /\{[^{}]*\}/.exec(hs.body);
      assert.ok(open, `no open packet in the handshake body: ${JSON.stringify(hs.body)}`);
      const handshake = JSON.parse(open[0]);
      assert.equal(typeof handshake.sid, 'string', `handshake: ${open[0]}`);
      assert.ok(handshake.upgrades?.includes('websocket'), `the websocket upgrade must be offered: ${open[0]}`);

      const url = `${base}&sid=${encodeURIComponent(handshake.sid)}`;
      const post = await request(`${url}&t=post${eio}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'text/plain;charset=UTF-8' },
        body: PACKETS[eio].first,
      });
      assert.equal(post.status, 200, `POST answered ${post.status}: ${post.body}`);
      assertCredentialedCors(post, 'POST');

      // The answer to the packet above (pong, or the CONNECT reply) is waiting already.
      const poll = await request(`${url}&t=poll${eio}`, { headers });
      assert.equal(poll.status, 200, `poll answered ${poll.status}: ${poll.body}`);
      assertCredentialedCors(poll, 'poll');

      await request(`${url}&t=close${eio}`, { method: 'POST', headers, body: PACKETS[eio].close });
    });
  }

  test('a preflight for the JSON API from another origin is allowed with credentials', async () => {
    const res = await request(`${ctx.server.url}/groups`, {
      method: 'OPTIONS',
      headers: {
        Origin: ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    assert.ok(res.status >= 200 && res.status < 300, `preflight answered ${res.status}: ${res.body}`);
    assertCredentialedCors(res, 'preflight');
    assert.match(res.headers['access-control-allow-methods'] ?? '', /POST|\*/i, 'POST must be allowed');
    assert.match(res.headers['access-control-allow-headers'] ?? '', /content-type|\*/i, 'content-type must be allowed');
  });
});

describe('clients that send an Origin header', () => {
  for (const config of CONFIGS.filter((c) => c.opts.transports?.[0] === 'polling')) {
    test(`${config.name} with Origin ${ORIGIN} and credentials pairs and chats`, async () => {
      const group = await createGroup(ctx.server);
      const crossOrigin = {
        ...config,
        opts: { ...config.opts, withCredentials: true, extraHeaders: { Origin: ORIGIN } },
      };
      const { a, b, room } = await pairUp(ctx.pool, crossOrigin, group.access_code);
      a.send('message', { room, text: 'cross-origin' });
      assert.deepEqual(await b.nextChat(), { room, text: 'cross-origin' });
    });
  }
});

describe('the websocket upgrade', () => {
  for (const config of CONFIGS.filter((c) => c.opts.transports === undefined)) {
    test(`${config.name} starts on polling and upgrades to websocket`, async () => {
      const m = await ctx.pool.connect(config, uniqueName('upgrader'));
      const engine = m.socket.io.engine;
      if (engine.transport.name !== 'websocket') {
        await new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`still on ${engine.transport.name} after 3 s`)), 3000);
          engine.once('upgrade', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      assert.equal(m.transport, 'websocket');
    });
  }
});
