// Steps that many scenarios share: a pool of clients closed after each test, joining a
// group with an ack, and pairing two fresh members.

import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';

import { connect, uniqueName } from './clients.mjs';
import { startServer } from './harness.mjs';

/**
 * Starts one server for the calling test file (stopped after it) and returns a handle
 * whose `server` is set once the `before` hook ran, plus a pool of clients that is
 * emptied after every test.
 */
export function useServer(extraArgs = []) {
  const ctx = { server: null, pool: new Pool(() => ctx.server) };
  before(async () => {
    ctx.server = await startServer(extraArgs);
  });
  afterEach(() => ctx.pool.closeAll());
  after(async () => {
    ctx.pool.closeAll();
    if (ctx.server) await ctx.server.stop();
  });
  return ctx;
}

/** Every client a test opened, so that none outlives it. */
export class Pool {
  constructor(getServer) {
    this.getServer = getServer;
    this.members = [];
  }

  async connect(config, name, opts) {
    const member = await connect(this.getServer(), config, { name: name ?? uniqueName('client'), opts });
    this.members.push(member);
    return member;
  }

  closeAll() {
    for (const m of this.members.splice(0)) m.close();
  }
}

/**
 * `join_group` with an ack; asserts it succeeded, keeps the member's public id (what her
 * partners are told) as `member.memberId`, and returns the ack.
 */
export async function joinGroup(member, accessCode, name) {
  const payload = { access_code: accessCode };
  if (name !== undefined) payload.name = name;
  const ack = await member.request('join_group', payload);
  assert.equal(ack?.ok, true, `${member.label}: join_group ${JSON.stringify(payload)} acked ${JSON.stringify(ack)}`);
  assert.match(ack.member?.id ?? '', /^[0-9a-f]{32}$/, `${member.label}: join_group ack without member.id: ${JSON.stringify(ack)}`);
  member.memberId = ack.member.id;
  return ack;
}

/** Asserts the shape of a `join_room` payload; returns it. */
export function assertJoinRoom(payload, { user, matchName, matchSid }) {
  assert.equal(typeof payload?.room, 'string', `join_room without a string room: ${JSON.stringify(payload)}`);
  assert.ok(payload.room.length > 0, 'join_room with an empty room id');
  assert.equal(payload.user, user, `join_room.user: ${JSON.stringify(payload)}`);
  assert.equal(typeof payload.match, 'object', `join_room without match: ${JSON.stringify(payload)}`);
  assert.equal(payload.match.name, matchName, `join_room.match.name: ${JSON.stringify(payload)}`);
  if (matchSid !== undefined) {
    assert.equal(payload.match.sid, matchSid, `join_room.match.sid: ${JSON.stringify(payload)}`);
  }
  assert.equal(payload.match.id, payload.match.sid, `join_room.match.id and .sid differ: ${JSON.stringify(payload)}`);
  return payload;
}

/**
 * Connects two fresh members of `accessCode` (the first waits, the second is matched
 * with it) and returns them with their room id, all `join_room` checks done.
 */
export async function pairUp(pool, config, accessCode, { configB = config } = {}) {
  const a = await pool.connect(config, uniqueName('alice'));
  const b = await pool.connect(configB, uniqueName('bob'));
  const nameA = a.name;
  const nameB = b.name;
  await joinGroup(a, accessCode, nameA);
  await joinGroup(b, accessCode, nameB);
  const ja = assertJoinRoom(await a.next('join_room'), { user: nameA, matchName: nameB, matchSid: b.memberId });
  const jb = assertJoinRoom(await b.next('join_room'), { user: nameB, matchName: nameA, matchSid: a.memberId });
  assert.equal(ja.room, jb.room, 'the two members were told different rooms');
  // A partner learns a public member id, never the other's session id (docs/protocol.md section 4).
  assert.notEqual(ja.match.sid, b.id, "Bob's session id reached Alice");
  assert.notEqual(jb.match.sid, a.id, "Alice's session id reached Bob");
  return { a, b, nameA, nameB, room: ja.room };
}

/** A code that no group has (well-formed: 10 lower-case base32 characters). */
export const UNKNOWN_CODE = 'zzzzzzzzzz';
