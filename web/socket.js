// A small Socket.IO v5 client (Engine.IO v4, WebSocket transport only): events, acks and
// the connection status, over an EngineConnection (engine.js) that comes back by itself.
// Every new connection runs the owner's greeting (a resume) before anything else is sent.
// Sequenced events (a resumable member's, docs/protocol.md section 6) are passed on once
// each: one whose seq was already seen is dropped here.

import { EngineConnection } from './engine.js';
import {
  SIO_ACK,
  SIO_CONNECT,
  SIO_CONNECT_ERROR,
  SIO_DISCONNECT,
  SIO_EVENT,
  encodeEvent,
  parseEvent,
  parseSocketIoBody,
} from './wire.js';

const DEFAULT_ACK_TIMEOUT_MS = 10000;

export class CircleSocket {
  /** @param {string} url  ws(s)://host/socket.io/?EIO=4&transport=websocket */
  constructor(url) {
    this.status = 'idle'; // idle | connecting | connected | reconnecting | closed
    this.handlers = new Map(); // event name -> Set<fn>
    this.statusHandlers = new Set();
    this.pendingAcks = new Map(); // id -> {resolve, reject, timer}
    this.nextAckId = 0;
    this.everConnected = false;
    this.lastSeq = 0; // the highest seq passed on (section 6)
    this.greeting = null;
    this.engine = new EngineConnection(url, {
      opening: () => this.setStatus(this.everConnected ? 'reconnecting' : 'connecting'),
      opened: () => this.engine.send(SIO_CONNECT),
      message: (packet) => this.handlePacket(packet),
      dropped: () => this.failPendingAcks('disconnected'),
    });
  }

  /** Opens the connection; safe to call more than once. */
  connect() {
    this.engine.start();
  }

  /** Closes for good: no reconnect. */
  close() {
    this.engine.stop(SIO_DISCONNECT);
    this.failPendingAcks('closed');
    this.setStatus('closed');
  }

  /** Subscribes to a server event; returns an unsubscribe function. */
  on(event, fn) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event).add(fn);
    return () => this.handlers.get(event)?.delete(fn);
  }

  /** fn(status, {reconnected}) on every status change; returns an unsubscribe function. */
  onStatus(fn) {
    this.statusHandlers.add(fn);
    return () => this.statusHandlers.delete(fn);
  }

  get connected() {
    return this.status === 'connected';
  }

  /**
   * Sets what runs on every new connection before anything else is sent and before the
   * status turns 'connected': fn(send, {reconnected}) where send(event, payload) asks for an
   * ack over this connection. Requests made meanwhile wait for it. A greeting that fails
   * ends the connection (and so is tried again on the next one).
   */
  setGreeting(fn) {
    this.greeting = fn;
  }

  /** A new member identity numbers its events from 1 again: forget the seqs seen so far. */
  restartSequence() {
    this.lastSeq = 0;
  }

  /** Sends an event without ack. Returns false when not connected (nothing is queued). */
  emit(event, payload) {
    if (!this.connected) return false;
    this.engine.send(encodeEvent(event, payload));
    return true;
  }

  /**
   * Sends an event asking for an ack and resolves with the ack's first argument.
   * Waits for the connection first (within the same timeout). Rejects on timeout
   * or when the connection drops before the ack arrives.
   */
  request(event, payload, timeoutMs = DEFAULT_ACK_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const sendNow = () => this.sendWithAck(event, payload, deadline - Date.now(), resolve, reject);
      if (this.connected) {
        sendNow();
        return;
      }
      this.connect();
      const waitTimer = setTimeout(() => {
        off();
        reject(new SocketError('offline', 'Cannot reach the server right now.'));
      }, timeoutMs);
      const off = this.onStatus((status) => {
        if (status === 'connected') {
          clearTimeout(waitTimer);
          off();
          sendNow();
        } else if (status === 'closed') {
          clearTimeout(waitTimer);
          off();
          reject(new SocketError('closed', 'The connection was closed.'));
        }
      });
    });
  }

  // ---- internals ----

  /** Sends an event over the open connection and settles with its ack (or the failure). */
  sendWithAck(event, payload, timeoutMs, resolve, reject) {
    const id = this.nextAckId++;
    const timer = setTimeout(() => {
      this.pendingAcks.delete(id);
      reject(new SocketError('timeout', 'The server did not answer in time.'));
    }, Math.max(0, timeoutMs));
    this.pendingAcks.set(id, { resolve, reject, timer });
    this.engine.send(encodeEvent(event, payload, id));
  }

  /** A Socket.IO packet (the text after the Engine.IO type). */
  handlePacket(packet) {
    const type = packet[0];
    const { id, data } = parseSocketIoBody(packet.slice(1));
    switch (type) {
      case SIO_CONNECT: {
        const reconnected = this.everConnected;
        this.everConnected = true;
        this.engine.succeeded();
        this.greet(reconnected);
        break;
      }
      case SIO_EVENT: {
        const ev = parseEvent(data);
        if (!ev) break;
        if (ev.seq !== null) {
          if (ev.seq <= this.lastSeq) break; // Replayed, and already passed on.
          this.lastSeq = ev.seq;
        }
        this.dispatch(ev.event, ev.payload);
        break;
      }
      case SIO_ACK: {
        const pending = id === null ? undefined : this.pendingAcks.get(id);
        if (pending) {
          this.pendingAcks.delete(id);
          clearTimeout(pending.timer);
          pending.resolve(Array.isArray(data) ? data[0] : data);
        }
        break;
      }
      case SIO_DISCONNECT:
      case SIO_CONNECT_ERROR:
        // The server refused or ended the namespace session: start over.
        this.engine.abandon();
        break;
      default:
        break; // Binary packets are never used by this app.
    }
  }

  /** Runs the greeting (if any) on the new connection, then reports it 'connected'. */
  async greet(reconnected) {
    const connection = this.engine.current;
    if (this.greeting) {
      const send = (event, payload) =>
        new Promise((resolve, reject) => this.sendWithAck(event, payload, DEFAULT_ACK_TIMEOUT_MS, resolve, reject));
      try {
        await this.greeting(send, { reconnected });
      } catch (err) {
        if (this.engine.current === connection) {
          console.error('greeting failed', err.code || err);
          this.engine.abandon();
        }
        return;
      }
    }
    if (this.engine.current === connection) this.setStatus('connected', { reconnected });
  }

  dispatch(event, payload) {
    for (const fn of this.handlers.get(event) || []) {
      try {
        fn(payload);
      } catch (err) {
        console.error(`handler for "${event}" failed`, err);
      }
    }
  }

  failPendingAcks(reason) {
    for (const [id, pending] of this.pendingAcks) {
      clearTimeout(pending.timer);
      pending.reject(new SocketError(reason, 'The connection dropped before the server answered.'));
      this.pendingAcks.delete(id);
    }
  }

  setStatus(status, info = {}) {
    if (this.status === status && !info.reconnected) return;
    this.status = status;
    for (const fn of [...this.statusHandlers]) {
      try {
        fn(status, info);
      } catch (err) {
        console.error('status handler failed', err);
      }
    }
  }
}

/** A transport-level failure (no ack, no connection), as opposed to a server error. */
export class SocketError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** The WebSocket URL of the Socket.IO endpoint on the page's own origin. */
export function defaultSocketUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/socket.io/?EIO=4&transport=websocket`;
}
