// docs/protocol.md section 2, join_group / join_room / message: two members of a group are
// paired and chat both ways; nobody else hears them; an unknown code is refused without
// closing the connection.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CONFIGS, expectNoneAll, uniqueName } from '../lib/clients.mjs';
import { createGroup } from '../lib/harness.mjs';
import { assertJoinRoom, joinGroup, pairUp, UNKNOWN_CODE, useServer } from '../lib/scenario.mjs';

const ctx = useServer();

for (const config of CONFIGS) {
  describe(config.name, () => {
    test('two members are paired in one room and chat both ways; outsiders hear nothing', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server, { rules: '["be kind","no spam"]' });
      const other = await createGroup(server, { name: 'Another circle' });

      // Outsiders: one waiting alone in another group, one that never joined anything.
      const lonely = await pool.connect(config, uniqueName('lonely'));
      await joinGroup(lonely, other.access_code, lonely.name);
      const idle = await pool.connect(config, uniqueName('idle'));

      const a = await pool.connect(config, uniqueName('alice'));
      const b = await pool.connect(config, uniqueName('bob'));
      const ackA = await joinGroup(a, group.access_code, a.name);
      assert.equal(ackA.group?.access_code, group.access_code, `join_group ack: ${JSON.stringify(ackA)}`);
      assert.equal(ackA.group.name, group.name);
      assert.equal(ackA.group.description, group.description);
      assert.equal(ackA.group.rules, '["be kind","no spam"]', 'rules must come back byte for byte');
      assert.equal(ackA.group.owner_token, undefined, 'the ack must not reveal the owner token');
      await joinGroup(b, group.access_code, b.name);

      const ja = assertJoinRoom(await a.next('join_room'), { user: a.name, matchName: b.name, matchSid: b.memberId });
      const jb = assertJoinRoom(await b.next('join_room'), { user: b.name, matchName: a.name, matchSid: a.memberId });
      assert.equal(ja.room, jb.room, 'both members must be told the same room');
      const room = ja.room;

      // Compat notice on a match: "<name> connected." on the message event.
      for (const m of [a, b]) {
        const notice = await m.nextNotice();
        assert.match(notice, /^.+ connected\.$/, `${m.label}: connect notice`);
      }

      const hello = { room, text: 'hi' };
      a.send('message', hello);
      assert.deepEqual(await a.nextChat(), hello, 'the sender gets her own message back');
      assert.deepEqual(await b.nextChat(), hello, 'the partner gets the message unchanged');

      // Any extra keys travel unchanged too.
      const reply = { room, text: 'hi', user: b.name, meta: { sent: 12345, tags: ['x', 'y'], none: null } };
      b.send('message', reply);
      assert.deepEqual(await a.nextChat(), reply);
      assert.deepEqual(await b.nextChat(), reply);

      await expectNoneAll([lonely, idle]);
      if (config.opts.upgrade === false) assert.equal(a.transport, 'polling', 'polling-only must not upgrade');
      // Each message arrived exactly once.
      await expectNoneAll([a, b], 'message', { ms: 0, match: (args) => typeof args[0] === 'object' });
    });

    test('twenty members that join the moment they connect form exactly ten pairs', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const members = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const m = await pool.connect(config, uniqueName('crowd'));
          await joinGroup(m, group.access_code, m.name); // emitted as soon as connected
          return m;
        }),
      );
      const byId = new Map(members.map((m) => [m.memberId, m]));
      const rooms = new Map();
      for (const m of members) {
        const j = await m.next('join_room');
        const partner = byId.get(j?.match?.sid);
        assert.ok(partner && partner !== m, `${m.label}: join_room ${JSON.stringify(j)}`);
        assert.equal(j.match.name, partner.name);
        rooms.set(j.room, [...(rooms.get(j.room) ?? []), m.memberId]);
      }
      assert.equal(rooms.size, 10, 'twenty fresh joins must yield exactly ten rooms');
      for (const ids of rooms.values()) assert.equal(ids.length, 2);
      await expectNoneAll(members, 'join_room');
    });

    test('a name is trimmed and defaults to "Anonymous"', async () => {
      const { pool, server } = ctx;
      const group = await createGroup(server);
      const a = await pool.connect(config);
      const b = await pool.connect(config);
      await joinGroup(a, group.access_code, '  Padded Name  ');
      await joinGroup(b, group.access_code); // no name at all
      assertJoinRoom(await a.next('join_room'), { user: 'Padded Name', matchName: 'Anonymous', matchSid: b.memberId });
      assertJoinRoom(await b.next('join_room'), { user: 'Anonymous', matchName: 'Padded Name', matchSid: a.memberId });
    });

    test('an unknown code is refused with group_not_found and the socket can still join', async () => {
      const { pool, server } = ctx;
      const m = await pool.connect(config, uniqueName('seeker'));

      const ack = await m.request('join_group', { access_code: UNKNOWN_CODE, name: m.name });
      assert.equal(ack?.ok, false, `ack: ${JSON.stringify(ack)}`);
      assert.equal(ack.error?.code, 'group_not_found', `ack: ${JSON.stringify(ack)}`);
      assert.equal(typeof ack.error.message, 'string');

      // Without an ack the error comes as request_error.
      m.send('join_group', { access_code: UNKNOWN_CODE, name: m.name });
      const err = await m.next('request_error');
      assert.equal(err?.event, 'join_group', `request_error: ${JSON.stringify(err)}`);
      assert.equal(err.code, 'group_not_found', `request_error: ${JSON.stringify(err)}`);
      assert.equal(typeof err.message, 'string');

      await m.expectNone();
      assert.equal(m.connected, true, 'a refused join_group must not close the connection');
      assert.equal(m.disconnectReason, null);

      // The same socket joins a real group and is paired.
      const group = await createGroup(server);
      const partner = await pool.connect(config, uniqueName('partner'));
      await joinGroup(m, group.access_code, m.name);
      await joinGroup(partner, group.access_code, partner.name);
      const jm = assertJoinRoom(await m.next('join_room'), { user: m.name, matchName: partner.name, matchSid: partner.memberId });
      m.send('message', { room: jm.room, text: 'made it' });
      assert.deepEqual(await partner.nextChat(), { room: jm.room, text: 'made it' });
    });
  });
}

describe('mixed client generations', () => {
  const pairs = [
    [CONFIGS[1], CONFIGS[2]], // sio2 polling with sio4 websocket
    [CONFIGS[0], CONFIGS[3]], // sio2 websocket with sio4 polling
    [CONFIGS[4], CONFIGS[5]], // both defaults
  ];
  for (const [c1, c2] of pairs) {
    test(`${c1.name} chats with ${c2.name}`, async () => {
      const group = await createGroup(ctx.server);
      const { a, b, room } = await pairUp(ctx.pool, c1, group.access_code, { configB: c2 });
      a.send('message', { room, text: 'from the old client' });
      assert.deepEqual(await b.nextChat(), { room, text: 'from the old client' });
      assert.deepEqual(await a.nextChat(), { room, text: 'from the old client' });
      b.send('message', { room, text: 'from the new client' });
      assert.deepEqual(await a.nextChat(), { room, text: 'from the new client' });
      assert.deepEqual(await b.nextChat(), { room, text: 'from the new client' });
    });
  }
});
