// A small Socket.IO v5 client (Engine.IO v4, WebSocket transport only).
//
// Wire format, one Engine.IO packet per WebSocket text frame:
//   0{json}  open (sid, pingInterval, pingTimeout)     server -> client
//   2 / 3    ping / pong (the server pings, we answer)
//   1        close
//   4<sio>   a Socket.IO packet (wire.js)
// The connection is re-opened with a growing, jittered delay when it drops, at once when
// the browser comes back online, and given up as soon as the browser goes offline (an
// offline connection can stay half-open for long). Sequenced events (a resumable member's,
// docs/protocol.md section 6) are passed on once each: one whose seq was already seen is
// dropped here.

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

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
const DEFAULT_ACK_TIMEOUT_MS = 10000;

export class CircleSocket {
  /** @param {string} url  ws(s)://host/socket.io/?EIO=4&transport=websocket */
  constructor(url) {
    this.url = url;
    this.ws = null;
    this.status = 'idle'; // idle | connecting | connected | reconnecting | closed
    this.handlers = new Map(); // event name -> Set<fn>
    this.statusHandlers = new Set();
    this.pendingAcks = new Map(); // id -> {resolve, reject, timer}
    this.nextAckId = 0;
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pingDeadlineMs = 45000;
    this.everConnected = false;
    this.stopped = false;
    this.lastSeq = 0; // the highest seq passed on (section 6)
    this.greeting = null;
    this.onOnline = () => {
      if (this.status === 'reconnecting') this.retryNow();
    };
    this.onOffline = () => {
      if (this.ws) this.abandon();
    };
  }

  /** Opens the connection; safe to call more than once. */
  connect() {
    if (this.ws || this.stopped) return;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.open();
  }

  /** Closes for good: no reconnect. */
  close() {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    clearTimeout(this.retryTimer);
    clearTimeout(this.pingTimer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      if (ws.readyState === WebSocket.OPEN) {
        try {
          ws.send('41');
        } catch {
          // The socket is going away anyway.
        }
      }
      ws.close();
    }
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
    this.send(encodeEvent(event, payload));
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
    this.send(encodeEvent(event, payload, id));
  }

  /**
   * Opens a socket. Every way here (first connect, a request during the backoff, the
   * retry timer, retryNow) cancels the pending retry, so that it cannot open a second
   * socket beside this one.
   */
  open() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setStatus(this.everConnected ? 'reconnecting' : 'connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onmessage = (ev) => {
      if (this.ws === ws && typeof ev.data === 'string') this.handleEnginePacket(ev.data);
    };
    ws.onclose = () => {
      if (this.ws === ws) this.handleDrop();
    };
    ws.onerror = () => {
      // onclose follows and handles it.
    };
  }

  send(text) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  handleEnginePacket(text) {
    const type = text[0];
    const body = text.slice(1);
    switch (type) {
      case '0': {
        // Open: learn the heartbeat and connect to the "/" namespace.
        try {
          const open = JSON.parse(body);
          this.pingDeadlineMs = (open.pingInterval || 25000) + (open.pingTimeout || 20000);
        } catch {
          // Keep the default deadline.
        }
        this.armPingDeadline();
        this.send('4' + SIO_CONNECT);
        break;
      }
      case '2':
        this.armPingDeadline();
        this.send('3' + body);
        break;
      case '1':
        this.ws?.close();
        break;
      case '4':
        this.handleSocketIoPacket(body);
        break;
      default:
        // 3 (pong), 5 (upgrade), 6 (noop): nothing to do over a plain WebSocket.
        break;
    }
  }

  handleSocketIoPacket(packet) {
    const type = packet[0];
    const { id, data } = parseSocketIoBody(packet.slice(1));
    switch (type) {
      case SIO_CONNECT: {
        const reconnected = this.everConnected;
        this.everConnected = true;
        this.attempt = 0;
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
        this.ws?.close();
        break;
      default:
        break; // Binary packets are never used by this app.
    }
  }

  /** Runs the greeting (if any) on the new connection, then reports it 'connected'. */
  async greet(reconnected) {
    const ws = this.ws;
    if (this.greeting) {
      const send = (event, payload) =>
        new Promise((resolve, reject) => this.sendWithAck(event, payload, DEFAULT_ACK_TIMEOUT_MS, resolve, reject));
      try {
        await this.greeting(send, { reconnected });
      } catch (err) {
        if (this.ws === ws) {
          console.error('greeting failed', err.code || err);
          this.abandon();
        }
        return;
      }
    }
    if (this.ws === ws) this.setStatus('connected', { reconnected });
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

  armPingDeadline() {
    clearTimeout(this.pingTimer);
    // No ping for that long: the connection is dead (or half-open) even if it looks open.
    this.pingTimer = setTimeout(() => this.abandon(), this.pingDeadlineMs);
  }

  /** Gives up on the current connection at once, without waiting for its close handshake. */
  abandon() {
    const ws = this.ws;
    if (!ws) return;
    ws.close();
    this.handleDrop();
  }

  handleDrop() {
    clearTimeout(this.pingTimer);
    this.ws = null;
    this.failPendingAcks('disconnected');
    if (this.stopped) return;
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    this.setStatus(this.everConnected ? 'reconnecting' : 'connecting');
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    const delay = base * (0.75 + Math.random() * 0.5);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  retryNow() {
    if (this.ws || this.stopped) return;
    this.open();
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
