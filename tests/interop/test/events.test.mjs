// docs/protocol.md section 2, the last rows of "Client → server": `received` and unknown events
// are ignored; the original's `join_room` and `gmessage` are refused with `forbidden`.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CONFIGS, expectNoneAll, uniqueName } from '../lib/clients.mjs';
import { createGroup } from '../lib/harness.mjs';
import { pairUp, useServer } from '../lib/scenario.mjs';

const ctx = useServer();

/** Asserts an ack `{ok:false, error:{code, message}}`. */
function assertAckError(ack, code) {
  assert.equal(ack?.ok, false, `ack: ${JSON.stringify(ack)}`);
  assert.equal(ack.error?.code, code, `ack: ${JSON.stringify(ack)}`);
  assert.equal(typeof ack.error.message, 'string', `ack: ${JSON.stringify(ack)}`);
}

/** Asserts a `request_error` `{event, code, message}`. */
function assertRequestError(payload, event, code) {
  assert.equal(payload?.event, event, `request_error: ${JSON.stringify(payload)}`);
  assert.equal(payload.code, code, `request_error: ${JSON.stringify(payload)}`);
  assert.equal(typeof payload.message, 'string', `request_error: ${JSON.stringify(payload)}`);
}

for (const config of CONFIGS) {
  describe(config.name, () => {
    test('received and unknown events are ignored', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const { a, b, room } = await pairUp(pool, config, group.access_code);
      a.clearInbox();
      b.clearInbox();

      // What the original front end sends after every message, in a few shapes.
      a.send('received', { room });
      a.send('received', 'ok');
      a.send('received');
      b.send('some_event_nobody_knows', { room, text: 'ignored' });
      await expectNoneAll([a, b], undefined, { notices: false });
      assert.ok(a.connected && b.connected, 'ignored events must not close a connection');

      // Nothing changed: the room still works.
      a.send('message', { room, text: 'still here' });
      assert.deepEqual(await b.nextChat(), { room, text: 'still here' });
      assert.deepEqual(await a.nextChat(), { room, text: 'still here' });
    });

    test('join_room is forbidden and does not put the socket in the room', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const { a, b, room } = await pairUp(pool, config, group.access_code);
      const intruder = await pool.connect(config, uniqueName('intruder'));

      assertAckError(await intruder.request('join_room', { room }), 'forbidden');
      intruder.send('join_room', room);
      assertRequestError(await intruder.next('request_error'), 'join_room', 'forbidden');
      intruder.send('join_room', { room });
      assertRequestError(await intruder.next('request_error'), 'join_room', 'forbidden');

      a.send('message', { room, text: 'private' });
      assert.deepEqual(await b.nextChat(), { room, text: 'private' });
      await intruder.expectNone();
      assert.ok(intruder.connected, 'a refused event must not close the connection');
    });

    test('gmessage is forbidden and broadcasts nothing', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const { a, b } = await pairUp(pool, config, group.access_code);
      a.clearInbox();
      b.clearInbox();
      const shouter = await pool.connect(config, uniqueName('shouter'));
      const bystander = await pool.connect(config, uniqueName('bystander'));

      assertAckError(await shouter.request('gmessage', { text: 'hello everyone' }), 'forbidden');
      shouter.send('gmessage', { text: 'hello everyone' });
      assertRequestError(await shouter.next('request_error'), 'gmessage', 'forbidden');

      // A paired member is refused too, and her partner hears nothing.
      a.send('gmessage', { text: 'to all' });
      assertRequestError(await a.next('request_error'), 'gmessage', 'forbidden');

      await expectNoneAll([shouter, bystander]);
      await expectNoneAll([a, b], undefined, { ms: 0, notices: false });
      assert.ok(shouter.connected && a.connected, 'a refused event must not close the connection');
    });

    test('an oversized message is refused with message_too_large and nothing is delivered', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const { a, b, room } = await pairUp(pool, config, group.access_code);
      const big = { room, text: 'x'.repeat(17 * 1024) }; // over the default 16 KiB limit

      assertAckError(await a.request('message', big), 'message_too_large');
      a.send('message', big);
      assertRequestError(await a.next('request_error'), 'message', 'message_too_large');
      await expectNoneAll([a, b], 'message', { match: (args) => typeof args[0] === 'object' });
      assert.ok(a.connected, 'a refused message must not close the connection');

      a.send('message', { room, text: 'small again' });
      assert.deepEqual(await b.nextChat(), { room, text: 'small again' });
    });
  });
}
