// docs/protocol.md sections 2 and 3: leave (with return_to), disconnect, and the rule that two
// members are never paired twice in a row.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CONFIGS, expectNoneAll, sleep, uniqueName } from '../lib/clients.mjs';
import { createGroup } from '../lib/harness.mjs';
import { assertJoinRoom, joinGroup, pairUp, useServer } from '../lib/scenario.mjs';

const ctx = useServer();

/** Asserts that `partner` is told with `partner_left` that the other member of `room` went. */
async function assertPartnerTold(partner, room, reason) {
  assert.deepEqual(await partner.next('partner_left'), { room, reason });
}

for (const config of CONFIGS) {
  describe(config.name, () => {
    test('leave with return_to rematches the leaver with a waiting member, and tells the partner', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const { a, b, room } = await pairUp(pool, config, group.access_code);
      const c = await pool.connect(config, uniqueName('carol'));
      await joinGroup(c, group.access_code, c.name);
      await c.expectNone('join_room'); // nobody eligible is waiting yet

      const ack = await a.request('leave', { room, return_to: group.access_code });
      assert.equal(ack?.ok, true, `leave ack: ${JSON.stringify(ack)}`);

      const ja = assertJoinRoom(await a.next('join_room'), { user: a.name, matchName: c.name, matchSid: c.memberId });
      const jc = assertJoinRoom(await c.next('join_room'), { user: c.name, matchName: a.name, matchSid: a.memberId });
      assert.equal(ja.room, jc.room);
      assert.notEqual(ja.room, room, 'a new pairing must get a new room id');

      await assertPartnerTold(b, room, 'left');
      await b.nextNotice(`A User left the ${room} room`);
      await b.expectNone('join_room');

      // The new room works and the old partner hears nothing of it.
      b.clearInbox();
      a.send('message', { room: ja.room, text: 'new room' });
      assert.deepEqual(await c.nextChat(), { room: ja.room, text: 'new room' });
      assert.deepEqual(await a.nextChat(), { room: ja.room, text: 'new room' });
      await b.expectNone();
    });

    test('two members who just left each other wait instead of being paired again', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const { a, b, room } = await pairUp(pool, config, group.access_code);

      const ackA = await a.request('leave', { room, return_to: group.access_code });
      assert.equal(ackA?.ok, true, `leave ack: ${JSON.stringify(ackA)}`);
      await assertPartnerTold(b, room, 'left');
      const ackB = await b.request('leave', { room, return_to: group.access_code });
      assert.equal(ackB?.ok, true, `leave ack: ${JSON.stringify(ackB)}`);
      await expectNoneAll([a, b], 'join_room');

      // A newcomer takes one of them; the next newcomer takes the other.
      const c = await pool.connect(config, uniqueName('carol'));
      await joinGroup(c, group.access_code, c.name);
      const jc = await c.next('join_room');
      assert.ok([a.name, b.name].includes(jc?.match?.name), `carol matched ${JSON.stringify(jc)}`);
      const [taken, left] = jc.match.name === a.name ? [a, b] : [b, a];
      assertJoinRoom(await taken.next('join_room'), { user: taken.name, matchName: c.name, matchSid: c.memberId });
      await left.expectNone('join_room');

      const d = await pool.connect(config, uniqueName('dave'));
      await joinGroup(d, group.access_code, d.name);
      assertJoinRoom(await d.next('join_room'), { user: d.name, matchName: left.name, matchSid: left.memberId });
      assertJoinRoom(await left.next('join_room'), { user: left.name, matchName: d.name, matchSid: d.memberId });
    });

    test('next moves on: the partner is told (reason next) and the mover is matched again', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const { a, b, room } = await pairUp(pool, config, group.access_code);
      const c = await pool.connect(config, uniqueName('carol'));
      await joinGroup(c, group.access_code, c.name);

      const ack = await a.request('next', {});
      assert.equal(ack?.ok, true, `next ack: ${JSON.stringify(ack)}`);
      assertJoinRoom(await a.next('join_room'), { user: a.name, matchName: c.name, matchSid: c.memberId });
      assertJoinRoom(await c.next('join_room'), { user: c.name, matchName: a.name, matchSid: a.memberId });
      assert.deepEqual(await b.next('partner_left'), { room, reason: 'next' });

      // The one left behind may move on too, after her partner has gone.
      const ackB = await b.request('next', {});
      assert.equal(ackB?.ok, true, `next ack: ${JSON.stringify(ackB)}`);
      const d = await pool.connect(config, uniqueName('dave'));
      await joinGroup(d, group.access_code, d.name);
      assertJoinRoom(await b.next('join_room'), { user: b.name, matchName: d.name, matchSid: d.memberId });
    });

    test('next before joining any group is refused with not_in_group', async () => {
      const m = await ctx.pool.connect(config);
      const ack = await m.request('next', {});
      assert.equal(ack?.ok, false, `next ack: ${JSON.stringify(ack)}`);
      assert.equal(ack.error?.code, 'not_in_group', `next ack: ${JSON.stringify(ack)}`);
      m.send('next', {});
      const err = await m.next('request_error');
      assert.equal(err?.event, 'next', `request_error: ${JSON.stringify(err)}`);
      assert.equal(err.code, 'not_in_group', `request_error: ${JSON.stringify(err)}`);
    });

    test('leave_room without a payload (the original front end) leaves and tells the partner', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const { a, b, room } = await pairUp(pool, config, group.access_code);

      a.send('leave_room');
      assert.deepEqual(await b.next('partner_left'), { room, reason: 'left' });
      await b.nextNotice(`A User left the ${room} room`);
      await a.expectNone('request_error');

      // Out of room and lobby: a newcomer is not paired with her.
      const c = await pool.connect(config, uniqueName('carol'));
      await joinGroup(c, group.access_code, c.name);
      await expectNoneAll([a, c], 'join_room');
    });

    test('join_group while in a room leaves it first, and the partner is told', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const other = await createGroup(server, { name: 'Second circle' });
      const { a, b, room } = await pairUp(pool, config, group.access_code);

      await joinGroup(a, other.access_code, a.name);
      assert.deepEqual(await b.next('partner_left'), { room, reason: 'left' });

      // a now waits in the other group: a newcomer there is paired with her.
      const c = await pool.connect(config, uniqueName('carol'));
      await joinGroup(c, other.access_code, c.name);
      assertJoinRoom(await a.next('join_room'), { user: a.name, matchName: c.name, matchSid: c.memberId });
    });

    test('a disconnect tells the partner, who stays in the room and still gets her echo', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const { a, b, room } = await pairUp(pool, config, group.access_code);

      a.close();
      await assertPartnerTold(b, room, 'disconnected');

      b.send('message', { room, text: 'are you there?' });
      assert.deepEqual(await b.nextChat(), { room, text: 'are you there?' });
    });

    test('a member who disconnected while waiting is never paired', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const gone = await pool.connect(config, uniqueName('gone'));
      await joinGroup(gone, group.access_code, gone.name);
      gone.close();
      // The protocol allows "within seconds"; a clean close should be seen at once, so a
      // short grace period keeps this from racing the close packet.
      await sleep(500);

      const x = await pool.connect(config, uniqueName('xavier'));
      await joinGroup(x, group.access_code, x.name);
      await x.expectNone('join_room');
      const y = await pool.connect(config, uniqueName('yvonne'));
      await joinGroup(y, group.access_code, y.name);
      assertJoinRoom(await x.next('join_room'), { user: x.name, matchName: y.name, matchSid: y.memberId });
      assertJoinRoom(await y.next('join_room'), { user: y.name, matchName: x.name, matchSid: x.memberId });
    });
  });
}

