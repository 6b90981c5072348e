// The official socket.io clients, wrapped so that a test can wait for "the next event
// named X" with a short timeout, assert that no event arrives, and emit with an ack.
//
// Every client is its own connection (`forceNew`) and never reconnects, so a test sees
// exactly what one connection of the real front end would see.

import sio2 from 'sio2';
import { io as sio4 } from 'sio4';

/** How long a test waits for an event that must arrive. */
export const EVENT_TIMEOUT_MS = 3000;
/** How long a test waits before concluding that an event did not arrive. */
export const QUIET_MS = 300;

/**
 * The client configurations every scenario runs under: sio2 speaks Engine.IO v3 /
 * Socket.IO v4, sio4 speaks Engine.IO v4 / Socket.IO v5.
 */
export const CONFIGS = [
  { name: 'sio2 websocket', lib: 'v2', opts: { transports: ['websocket'] } },
  { name: 'sio2 polling', lib: 'v2', opts: { transports: ['polling'], upgrade: false } },
  { name: 'sio4 websocket', lib: 'v4', opts: { transports: ['websocket'] } },
  { name: 'sio4 polling', lib: 'v4', opts: { transports: ['polling'], upgrade: false } },
  // The defaults: long-polling first, then the upgrade to websocket. sio2 with its
  // defaults is exactly what the original React front end runs.
  { name: 'sio2 default (polling+upgrade)', lib: 'v2', opts: {} },
  { name: 'sio4 default (polling+upgrade)', lib: 'v4', opts: {} },
];

let counter = 0;
/** A display name unique within the run, so that assertions can tell members apart. */
export function uniqueName(prefix = 'member') {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** One connected client: records every server event in arrival order. */
export class Member {
  constructor(socket, config, name) {
    this.socket = socket;
    this.config = config;
    this.name = name; // the display name this member joins with
    this.label = `${name} [${config.name}]`;
    this.inbox = []; // events not consumed yet: {event, args}
    this.waiters = [];
    this.disconnectReason = null;
    socket.on('disconnect', (reason) => {
      this.disconnectReason = reason;
    });
    if (config.lib === 'v4') {
      socket.onAny((event, ...args) => this.#deliver(event, args));
    } else {
      // socket.io-client 2.x has no onAny; every incoming event passes through onevent.
      const original = socket.onevent;
      socket.onevent = (packet) => {
        const [event, ...args] = packet.data || [];
        this.#deliver(event, args);
        original.call(socket, packet);
      };
    }
  }

  get id() {
    return this.socket.id;
  }

  get connected() {
    return this.socket.connected;
  }

  /** The name of the Engine.IO transport in use right now. */
  get transport() {
    return this.socket.io.engine.transport.name;
  }

  #deliver(event, args) {
    const i = this.waiters.findIndex((w) => w.event === event && w.match(args));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      w.resolve(args);
    } else {
      this.inbox.push({ event, args });
    }
  }

  /**
   * The first argument of the next `event` whose arguments satisfy `match` (default: any),
   * taken from what already arrived or awaited for at most `timeout` ms.
   */
  async next(event, { match = () => true, timeout = EVENT_TIMEOUT_MS } = {}) {
    const args = await this.nextArgs(event, { match, timeout });
    return args[0];
  }

  nextArgs(event, { match = () => true, timeout = EVENT_TIMEOUT_MS } = {}) {
    const i = this.inbox.findIndex((e) => e.event === event && match(e.args));
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0].args);
    return new Promise((resolve, reject) => {
      const waiter = { event, match, resolve: null };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        const seen = this.inbox.map((e) => `${e.event} ${JSON.stringify(e.args)}`).join('\n  ') || '(nothing)';
        reject(new Error(`${this.label}: no '${event}' event within ${timeout} ms; unconsumed events:\n  ${seen}`));
      }, timeout);
      waiter.resolve = (value) => {
        clearTimeout(timer);
        resolve(value);
      };
      this.waiters.push(waiter);
    });
  }

  /** The next relayed chat payload: a `message` event carrying an object (not a notice). */
  nextChat(opts = {}) {
    return this.next('message', { ...opts, match: (args) => typeof args[0] === 'object' && args[0] !== null });
  }

  /** The next compat notice (a `message` event carrying a plain string), `text` if given. */
  nextNotice(text, opts = {}) {
    const match = (args) => typeof args[0] === 'string' && (text === undefined || args[0] === text);
    return this.next('message', { ...opts, match });
  }

  /**
   * Asserts that no unconsumed event named `event` (any event when omitted) arrived,
   * waiting `ms` first. `match` narrows which events count; `notices: false` leaves out
   * compat notices, which may still trail a pairing the test has already seen.
   */
  async expectNone(event, { ms = QUIET_MS, match, notices = true } = {}) {
    if (ms > 0) await sleep(ms);
    const hits = this.inbox.filter(
      (e) =>
        (event === undefined || e.event === event) &&
        (!match || match(e.args)) &&
        (notices || !isNotice(e.event, e.args)),
    );
    if (hits.length > 0) {
      const seen = hits.map((e) => `${e.event} ${JSON.stringify(e.args)}`).join('\n  ');
      throw new Error(`${this.label}: expected no ${event ? `'${event}' ` : ''}event, got:\n  ${seen}`);
    }
  }

  /** Drops everything received so far. */
  clearInbox() {
    this.inbox.length = 0;
  }

  /** Emits without asking for an ack. */
  send(event, ...args) {
    this.socket.emit(event, ...args);
  }

  /** Emits with an ack callback; resolves with the ack's first argument. */
  request(event, payload, { timeout = EVENT_TIMEOUT_MS } = {}) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.label}: no ack for '${event}' within ${timeout} ms`)),
        timeout,
      );
      this.socket.emit(event, payload, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
  }

  close() {
    this.socket.close();
  }
}

/** Opens a new connection to `server` with `config`; resolves once the client connected. */
export function connect(server, config, { name = uniqueName('client'), timeout = EVENT_TIMEOUT_MS, opts = {} } = {}) {
  const options = { forceNew: true, reconnection: false, timeout, ...config.opts, ...opts };
  const socket = config.lib === 'v4' ? sio4(server.url, options) : sio2(server.url, options);
  const member = new Member(socket, config, name);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`${member.label}: could not connect within ${timeout} ms`));
    }, timeout);
    const fail = (err) => {
      clearTimeout(timer);
      socket.close();
      reject(new Error(`${member.label}: connect error: ${err && (err.message || err)}`));
    };
    socket.once('connect_error', fail);
    if (config.lib === 'v2') socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('connect_error', fail);
      if (config.lib === 'v2') socket.off('error', fail);
      resolve(member);
    });
  });
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `expectNone` for several members at once, with a single wait. */
export async function expectNoneAll(members, event, { ms = QUIET_MS, ...opts } = {}) {
  await sleep(ms);
  for (const m of members) await m.expectNone(event, { ...opts, ms: 0 });
}

/** A compat notice: a plain string on the `message` event. */
export function isNotice(event, args) {
  return event === 'message' && typeof args[0] === 'string';
}
