// docs/protocol.md section 2, `message`: the original front end opens a new connection on every
// re-render and sends chat messages over connections that never joined. Knowing a live
// room id is the permission; a closed room id is dead for everyone, and a socket that is
// waiting in a lobby or sitting in another room may not post elsewhere.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CONFIGS, expectNoneAll, uniqueName } from '../lib/clients.mjs';
import { createGroup } from '../lib/harness.mjs';
import { joinGroup, pairUp, useServer } from '../lib/scenario.mjs';

const ctx = useServer();

const isChat = (args) => typeof args[0] === 'object' && args[0] !== null;

/** Asserts that `message` with `payload` from `sender` is refused with `not_in_room`, with and without ack. */
async function assertNotInRoom(sender, payload) {
  const ack = await sender.request('message', payload);
  assert.equal(ack?.ok, false, `${sender.label}: message ack: ${JSON.stringify(ack)}`);
  assert.equal(ack.error?.code, 'not_in_room', `${sender.label}: message ack: ${JSON.stringify(ack)}`);
  sender.send('message', payload);
  const err = await sender.next('request_error');
  assert.equal(err?.event, 'message', `request_error: ${JSON.stringify(err)}`);
  assert.equal(err.code, 'not_in_room', `request_error: ${JSON.stringify(err)}`);
}

for (const config of CONFIGS) {
  describe(config.name, () => {
    test('a fresh connection that names a live room has its message relayed to both members', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const { a, b, room } = await pairUp(pool, config, group.access_code);

      // Like the front end after a re-render: a brand-new connection, no join_group.
      const rerender = await pool.connect(config, uniqueName('rerender'));
      const payload = { room, text: 'sent over a fresh connection', user: a.name };
      rerender.send('message', payload);
      assert.deepEqual(await a.nextChat(), payload);
      assert.deepEqual(await b.nextChat(), payload);
      await rerender.expectNone(); // only the two members ever receive; no error either

      // The same with an ack.
      const another = await pool.connect(config, uniqueName('rerender'));
      const ack = await another.request('message', { room, text: 'with ack' });
      assert.equal(ack?.ok, true, `message ack: ${JSON.stringify(ack)}`);
      assert.deepEqual(await a.nextChat(), { room, text: 'with ack' });
      assert.deepEqual(await b.nextChat(), { room, text: 'with ack' });
      await another.expectNone('message');
    });

    test('after both members left, the room id is dead for everyone', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const { a, b, room } = await pairUp(pool, config, group.access_code);
      const rerender = await pool.connect(config, uniqueName('rerender'));
      rerender.send('message', { room, text: 'while alive' });
      assert.deepEqual(await b.nextChat(), { room, text: 'while alive' });

      const ackA = await a.request('leave', { room });
      assert.equal(ackA?.ok, true, `leave ack: ${JSON.stringify(ackA)}`);
      assert.deepEqual(await b.next('partner_left'), { room, reason: 'left' });
      const ackB = await b.request('leave', { room });
      assert.equal(ackB?.ok, true, `leave ack: ${JSON.stringify(ackB)}`);
      a.clearInbox();
      b.clearInbox();

      // The connection that could post before, and a brand-new one.
      await assertNotInRoom(rerender, { room, text: 'after close' });
      const fresh = await pool.connect(config, uniqueName('rerender'));
      await assertNotInRoom(fresh, { room, text: 'after close' });
      // A former member is now nowhere, so the same rule refuses her too.
      await assertNotInRoom(a, { room, text: 'after close' });

      await expectNoneAll([a, b], 'message', { match: isChat });
      await expectNoneAll([rerender, fresh], 'message', { ms: 0 });
    });

    test('a socket waiting in a lobby or sitting in another room cannot post to a live room', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const { a, b, room } = await pairUp(pool, config, group.access_code);
      a.clearInbox();
      b.clearInbox();

      const other = await createGroup(server, { name: 'Other circle' });
      const waiting = await pool.connect(config, uniqueName('waiting'));
      await joinGroup(waiting, other.access_code, waiting.name);
      await assertNotInRoom(waiting, { room, text: 'from a lobby' });

      const third = await createGroup(server, { name: 'Third circle' });
      const elsewhere = await pairUp(pool, config, third.access_code);
      await assertNotInRoom(elsewhere.a, { room, text: 'from another room' });

      await expectNoneAll([a, b], 'message', { match: isChat });
    });

    test("the front end's own socket id in a message reaches the partner as the sender's member id", async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const { a, b, room } = await pairUp(pool, config, group.access_code);
      a.clearInbox();
      b.clearInbox();

      // The original front end writes `sid: socket.id` into every message and checks it
      // on display to tell its own messages apart.
      const payload = { room, user: a.name, text: 'hello', sid: a.id };
      a.send('message', payload);
      assert.deepEqual(await a.nextChat(), payload, 'the echo is untouched');
      assert.deepEqual(await b.nextChat(), { ...payload, sid: a.memberId });
    });
  });
}
