// The Circle on the official Node socket.io 4.x server: the benchmarks' comparison baseline.
//
// The same contract as the Rust server (docs/protocol.md: HTTP API section 1, Socket.IO
// events section 2, matching section 3), written the way a Node team would: one process,
// everything in memory, node's `http` module for the JSON API, socket.io rooms for delivery.
// Left out on purpose: persistence, Redis, metrics, the web client, message size and rate
// limits, and the rate limit on failed joins.
//
//   node server.mjs --port 0      prints "circle listening on http://127.0.0.1:PORT"

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { Server } from 'socket.io';

// ---------------------------------------------------------------------------------------
// Command line. The flags the benchmarks pass to the Rust server are accepted and ignored.

const OPTIONS = {
  port: { type: 'string', default: process.env.PORT ?? '8080' },
  'public-group-list': { type: 'boolean', default: process.env.CIRCLE_PUBLIC_GROUP_LIST === 'true' },
  bind: { type: 'string' }, // ignored: always 127.0.0.1
  'data-dir': { type: 'string' }, // ignored: nothing is stored
  'message-rate': { type: 'string' }, // ignored: no rate limit
  'message-burst': { type: 'string' },
};
let flags;
try {
  flags = parseArgs({ options: OPTIONS }).values;
} catch (err) {
  console.error(`${err.message}\nusage: node server.mjs [--port N] [--public-group-list]`);
  process.exit(2);
}
const PORT = Number(flags.port);
if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) {
  console.error(`invalid --port ${flags.port}`);
  process.exit(2);
}

const GROUP_TTL_MS = 72 * 3600 * 1000;
const SWEEP_INTERVAL_MS = 60 * 1000;
const MAX_BODY_BYTES = 64 * 1024;

// ---------------------------------------------------------------------------------------
// Validation, as the Rust server's domain types do it.

/** Why a request was refused: a stable code and a human message. */
class Refusal extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const refusals = {
  invalid_payload: 'the payload is malformed',
  invalid_room: 'room must be a string',
  invalid_name: 'name must be 1 to 40 characters without control characters',
  group_not_found: 'no live group has this access code',
  not_in_room: 'you are not in this room',
  not_in_group: 'join a group first',
  forbidden: 'this event is not allowed',
};
const refuse = (code) => new Refusal(code, refusals[code]);

const CONTROL = /\p{Cc}/u;
const CONTROL_EXCEPT_BREAKS = /[^\P{Cc}\n\r\t]/u;

/** Trimmed `raw` if it holds `min`..`max` characters and no control characters, else null. */
function checkedText(raw, min, max, multiline = false) {
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  const length = [...text].length;
  if (length < min || length > max) return null;
  if ((multiline ? CONTROL_EXCEPT_BREAKS : CONTROL).test(text)) return null;
  return text;
}

/** A display name: trimmed, 1–40 characters, "Anonymous" when missing. */
function displayName(raw) {
  if (raw === undefined || raw === null) return 'Anonymous';
  const name = checkedText(raw, 1, 40);
  if (name === null) throw refuse('invalid_name');
  return name;
}

// Crockford's base32 in lower case: no i, l, o or u.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_LENGTH = 10;

/** 10 characters × 5 bits from the CSPRNG. */
function newAccessCode() {
  return [...randomBytes(CODE_LENGTH)].map((b) => ALPHABET[b & 31]).join('');
}

/** A code as a person typed it: trimmed, any case, i/l read as 1 and o as 0. */
function normaliseCode(raw) {
  if (typeof raw !== 'string') return null;
  const code = raw.trim().toLowerCase().replace(/[il]/g, '1').replace(/o/g, '0');
  if (code.length !== CODE_LENGTH || ![...code].every((c) => ALPHABET.includes(c))) return null;
  return code;
}

const sha256 = (text) => createHash('sha256').update(text).digest();
/** RFC 3339 UTC with whole seconds, like the Rust server. */
const rfc3339 = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// ---------------------------------------------------------------------------------------
// Groups, in memory.

/** access code → {name, description, rules, access_code, createdAt, expiresAt, ownerHash} */
const groups = new Map();

function publicView(group) {
  return {
    name: group.name,
    description: group.description,
    rules: group.rules,
    access_code: group.access_code,
    created_at: rfc3339(group.createdAt),
    expires_at: rfc3339(group.expiresAt),
  };
}

/** The live group with this (typed) code, or null; an expired group is unknown. */
function findGroup(raw) {
  const code = normaliseCode(raw);
  const group = code && groups.get(code);
  if (!group) return null;
  if (group.expiresAt <= Date.now()) {
    closeGroup(group);
    return null;
  }
  return group;
}

function createGroup(body) {
  const name = checkedText(body.name ?? '', 1, 100);
  if (name === null) throw new Refusal('invalid_name', 'name must be 1 to 100 characters without control characters');
  const description = checkedText(body.description ?? '', 1, 500, true);
  if (description === null) throw new Refusal('invalid_description', 'description must be 1 to 500 characters');
  const rules = body.rules ?? '';
  if (typeof rules !== 'string' || [...rules].length > 5000) {
    throw new Refusal('invalid_rules', 'rules must be a string of at most 5000 characters');
  }
  let code;
  do code = newAccessCode();
  while (groups.has(code));
  const ownerToken = randomBytes(32).toString('hex');
  const createdAt = Math.floor(Date.now() / 1000) * 1000;
  const group = {
    name,
    description,
    rules, // byte for byte (compat: the original front end stores a JSON array here)
    access_code: code,
    createdAt,
    expiresAt: createdAt + GROUP_TTL_MS,
    ownerHash: sha256(ownerToken),
  };
  groups.set(code, group);
  return { ...publicView(group), owner_token: ownerToken };
}

/** Forgets the group; members waiting in its lobby are told. Running chats go on. */
function closeGroup(group) {
  groups.delete(group.access_code);
  const waiting = lobbies.get(group.access_code) ?? [];
  lobbies.delete(group.access_code);
  for (const socket of waiting) {
    socket.data.lobby = null;
    socket.emit('group_closed', { access_code: group.access_code });
  }
}

setInterval(() => {
  const now = Date.now();
  for (const group of groups.values()) if (group.expiresAt <= now) closeGroup(group);
}, SWEEP_INTERVAL_MS).unref();

// ---------------------------------------------------------------------------------------
// HTTP API.

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const notFound = () => new HttpError(404, 'group_not_found', refusals.group_not_found);

/** CORS for every origin, reflected with credentials (docs/protocol.md section 4). */
function setCors(req, res) {
  const origin = req.headers.origin;
  if (!origin) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Vary', 'Origin');
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request's JSON body; the body is drained either way, so the answer can be sent. */
async function readJson(req) {
  if (!/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'unsupported_media_type', 'send JSON with Content-Type: application/json');
  }
  const tooLarge = () => new HttpError(413, 'payload_too_large', 'the request body is over the size limit');
  if (Number(req.headers['content-length']) > MAX_BODY_BYTES) throw tooLarge();
  const text = await new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_BODY_BYTES ? reject(tooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body is not valid JSON');
  }
}

async function route(req, res) {
  const { pathname } = new URL(req.url, 'http://localhost');
  const method = req.method;

  if (method === 'OPTIONS') {
    // A CORS preflight for the JSON API.
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? 'content-type, authorization');
    res.setHeader('Access-Control-Max-Age', '600');
    res.writeHead(204).end();
    return;
  }
  if (pathname === '/healthz' && method === 'GET') return sendJson(res, 200, { status: 'ok' });
  if (pathname === '/readyz' && method === 'GET') return sendJson(res, 200, { status: 'ready' });

  if (pathname === '/groups') {
    if (method === 'POST') {
      const body = await readJson(req);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new HttpError(400, 'invalid_json', 'the body must be a JSON object');
      }
      try {
        return sendJson(res, 201, createGroup(body));
      } catch (err) {
        if (err instanceof Refusal) throw new HttpError(400, err.code, err.message);
        throw err;
      }
    }
    if (method === 'GET') {
      if (!flags['public-group-list']) {
        throw new HttpError(403, 'listing_disabled', 'listing groups is disabled on this server');
      }
      const now = Date.now();
      return sendJson(res, 200, [...groups.values()].filter((g) => g.expiresAt > now).map(publicView));
    }
    throw new HttpError(405, 'method_not_allowed', 'this method is not allowed here');
  }

  const match = /^\/groups\/([^/]+)$/.exec(pathname);
  if (match) {
    let raw;
    try {
      raw = decodeURIComponent(match[1]);
    } catch {
      throw notFound();
    }
    if (method === 'GET') {
      const group = findGroup(raw);
      if (!group) throw notFound();
      return sendJson(res, 200, publicView(group));
    }
    if (method === 'DELETE') {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]?.trim();
      if (!token) {
        throw new HttpError(401, 'unauthorized', 'send the owner token as Authorization: Bearer <token>');
      }
      const group = findGroup(raw);
      if (!group) throw notFound();
      if (!timingSafeEqual(sha256(token), group.ownerHash)) {
        throw new HttpError(403, 'forbidden', 'this token does not own the group');
      }
      closeGroup(group);
      res.writeHead(204).end();
      return;
    }
    throw new HttpError(405, 'method_not_allowed', 'this method is not allowed here');
  }

  throw new HttpError(404, 'not_found', 'no such route');
}

const httpServer = http.createServer((req, res) => {
  setCors(req, res);
  route(req, res).catch((err) => {
    if (!(err instanceof HttpError)) {
      console.error('request failed:', err);
      err = new HttpError(500, 'internal', 'internal error');
    }
    if (res.headersSent) return res.destroy();
    if (err.status === 413) res.setHeader('Connection', 'close');
    sendJson(res, err.status, { error: { code: err.code, message: err.message } });
  });
});

// ---------------------------------------------------------------------------------------
// Socket.IO: lobbies, rooms, pairing (docs/protocol.md sections 2 and 3).
//
// Each socket is in at most one place: nowhere, one lobby (`socket.data.lobby`, a group
// code) or one room (`socket.data.room`, also a socket.io room of the same name). Node runs
// one handler at a time, so every handler below is atomic.

const io = new Server(httpServer, {
  allowEIO3: true, // socket.io-client 2.x, the original front end
  cors: { origin: true, credentials: true },
});

/** group code → sockets waiting in its lobby */
const lobbies = new Map();
/** room id → its members' sockets (one left once a partner has gone) */
const rooms = new Map();

/** Neither was the other's most recent partner (compat: no re-pairing twice in a row). */
const eligible = (a, b) => a !== b && a.data.lastPartner !== b.id && b.data.lastPartner !== a.id;

/** Leaves the room; the partner left behind is told why. */
function leaveRoom(socket, reason) {
  const room = socket.data.room;
  socket.data.room = null;
  socket.leave(room);
  const members = rooms.get(room);
  members.delete(socket);
  if (members.size === 0) {
    rooms.delete(room); // the room id is dead for everyone from now on
    return;
  }
  for (const partner of members) {
    partner.emit('partner_left', { room, reason });
    partner.emit('message', `A User left the ${room} room`);
  }
}

function leaveLobby(socket) {
  const code = socket.data.lobby;
  socket.data.lobby = null;
  const waiting = lobbies.get(code);
  waiting.splice(waiting.indexOf(socket), 1);
  if (waiting.length === 0) lobbies.delete(code);
}

/** Leaves whatever the socket is in. */
function vacate(socket, reason) {
  if (socket.data.room !== null) leaveRoom(socket, reason);
  else if (socket.data.lobby !== null) leaveLobby(socket);
}

/**
 * Moves the socket into the lobby of the group with code `rawCode` and pairs it at once
 * with a uniformly random eligible waiter, if any. Acknowledges, then tells the new pair.
 */
function enter(socket, rawCode, name, reason) {
  const group = findGroup(rawCode);
  if (!group) throw refuse('group_not_found');
  vacate(socket, reason);
  const code = group.access_code;
  socket.data.lastGroup = code;
  socket.data.name = name;

  const waiting = lobbies.get(code) ?? [];
  const candidates = waiting.filter((other) => eligible(socket, other));
  if (candidates.length === 0) {
    waiting.push(socket);
    lobbies.set(code, waiting);
    socket.data.lobby = code;
    return { group: publicView(group) };
  }

  const partner = candidates[Math.floor(Math.random() * candidates.length)];
  leaveLobby(partner);
  const room = randomBytes(16).toString('hex');
  rooms.set(room, new Set([socket, partner]));
  for (const [me, other] of [[socket, partner], [partner, socket]]) {
    me.data.room = room;
    me.data.lastPartner = other.id;
    me.join(room);
  }
  const announce = () => {
    socket.emit('join_room', { room, user: name, match: { name: partner.data.name, sid: partner.id } });
    partner.emit('join_room', { room, user: partner.data.name, match: { name, sid: socket.id } });
    io.to(room).emit('message', `${name} connected.`);
  };
  return { group: publicView(group), after: announce };
}

const objectArgument = (payload) => {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw refuse('invalid_payload');
  return payload;
};

/**
 * What each event does: returns the ack's body (`{ok: true, ...body}`), optionally with
 * `after`, run once the ack is sent; throws a Refusal to answer `{ok: false, error}` or,
 * without an ack, `request_error`.
 */
const handlers = {
  join_group(socket, payload) {
    const { access_code, name } = objectArgument(payload);
    return enter(socket, access_code, displayName(name), 'left');
  },

  message(socket, payload) {
    if (payload === undefined) throw refuse('invalid_payload');
    const room = payload?.room;
    if (typeof room !== 'string') throw refuse('invalid_room');
    // A member of the room; or (compat) a socket that is nowhere and names a live room:
    // the original front end sends over fresh connections that never joined.
    const nowhere = socket.data.room === null && socket.data.lobby === null;
    if (socket.data.room !== room && !(nowhere && rooms.has(room))) throw refuse('not_in_room');
    io.to(room).emit('message', payload);
    return {};
  },

  leave(socket, payload) {
    const { room, return_to } = objectArgument(payload);
    if (socket.data.room === null || socket.data.room !== room) throw refuse('not_in_room');
    leaveRoom(socket, 'left');
    if (return_to === undefined || return_to === null) return {};
    return enter(socket, return_to, socket.data.name ?? 'Anonymous', 'left');
  },

  next(socket) {
    if (socket.data.lastGroup === null) throw refuse('not_in_group');
    try {
      return enter(socket, socket.data.lastGroup, socket.data.name ?? 'Anonymous', 'next');
    } catch (err) {
      vacate(socket, 'next'); // the group is gone: leave the room all the same
      throw err;
    }
  },

  leave_room(socket) {
    vacate(socket, 'left');
    return {};
  },

  // The original let any socket enter any room and broadcast to everyone.
  join_room() {
    throw refuse('forbidden');
  },
  gmessage() {
    throw refuse('forbidden');
  },
};

io.on('connection', (socket) => {
  socket.data = { name: null, lastGroup: null, lastPartner: null, lobby: null, room: null };

  for (const [event, handle] of Object.entries(handlers)) {
    socket.on(event, (...args) => {
      const ack = typeof args.at(-1) === 'function' ? args.pop() : null;
      let result;
      try {
        result = handle(socket, args[0]);
      } catch (err) {
        if (!(err instanceof Refusal)) {
          console.error(`${event} failed:`, err);
          err = new Refusal('internal', 'internal error');
        }
        const error = { code: err.code, message: err.message };
        if (ack) ack({ ok: false, error });
        else socket.emit('request_error', { event, ...error });
        return;
      }
      const { after, ...body } = result;
      ack?.({ ok: true, ...body });
      after?.();
    });
  }
  // `received` and any other event: no listener, so socket.io ignores them.

  socket.on('disconnect', () => vacate(socket, 'disconnected'));
});

httpServer.listen(PORT, '127.0.0.1', () => {
  console.log(`circle listening on http://127.0.0.1:${httpServer.address().port}`);
});
