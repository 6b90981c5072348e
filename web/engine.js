// One Engine.IO v4 connection over a WebSocket that comes back by itself.
//
// Wire format, one Engine.IO packet per WebSocket text frame:
//   0{json}  open (sid, pingInterval, pingTimeout)     server -> client
//   2 / 3    ping / pong (the server pings, we answer)
//   1        close
//   4<sio>   a Socket.IO packet, handed to the owner (socket.js)
// The connection is re-opened with a growing, jittered delay when it drops, at once when
// the browser comes back online, and given up as soon as the browser goes offline or a
// ping is overdue: a dead link can look open for long (half-open).

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

export class EngineConnection {
  /**
   * @param {string} url  ws(s)://host/socket.io/?EIO=4&transport=websocket
   * @param hooks  {opening(), opened(), message(text), dropped()}: a connection attempt
   *   starts or is scheduled; the connection is open (send the namespace connect now); a
   *   Socket.IO packet arrived; the open connection or the attempt is gone (another follows
   *   unless stopped)
   */
  constructor(url, hooks) {
    this.url = url;
    this.hooks = hooks;
    this.ws = null;
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pingDeadlineMs = 45000;
    this.stopped = false;
    this.onOnline = () => {
      if (!this.ws) this.retryNow();
    };
    this.onOffline = () => this.abandon();
  }

  /** Opens the connection unless it is open or opening; safe to call more than once. */
  start() {
    if (this.ws || this.stopped) return;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.open();
  }

  /** Closes for good, after sending the Socket.IO packet `farewell` if the connection is open: no reconnect. */
  stop(farewell) {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    clearTimeout(this.retryTimer);
    clearTimeout(this.pingTimer);
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    if (ws.readyState === WebSocket.OPEN) {
      try {
        ws.send('4' + farewell);
      } catch {
        // The socket is going away anyway.
      }
    }
    ws.close();
  }

  /** Sends a Socket.IO packet over the open connection (dropped when there is none). */
  send(packet) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send('4' + packet);
  }

  /** An opaque value that changes with every connection: tells whether it is still the same. */
  get current() {
    return this.ws;
  }

  /** The connection that opened is good (its namespace connect succeeded): reset the backoff. */
  succeeded() {
    this.attempt = 0;
  }

  /** Gives up on the current connection at once, without waiting for its close handshake. */
  abandon() {
    const ws = this.ws;
    if (!ws) return;
    ws.close();
    this.handleDrop();
  }

  // ---- internals ----

  /**
   * Opens a socket. Every way here (first connect, a request during the backoff, the
   * retry timer, retryNow) cancels the pending retry, so that it cannot open a second
   * socket beside this one.
   */
  open() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.hooks.opening();
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onmessage = (ev) => {
      if (this.ws === ws && typeof ev.data === 'string') this.handlePacket(ev.data);
    };
    ws.onclose = () => {
      if (this.ws === ws) this.handleDrop();
    };
    ws.onerror = () => {
      // onclose follows and handles it.
    };
  }

  handlePacket(text) {
    const type = text[0];
    const body = text.slice(1);
    switch (type) {
      case '0': {
        // Open: learn the heartbeat, then the owner connects to its namespace.
        try {
          const open = JSON.parse(body);
          this.pingDeadlineMs = (open.pingInterval || 25000) + (open.pingTimeout || 20000);
        } catch {
          // Keep the default deadline.
        }
        this.armPingDeadline();
        this.hooks.opened();
        break;
      }
      case '2':
        this.armPingDeadline();
        this.ws.send('3' + body);
        break;
      case '1':
        this.ws.close();
        break;
      case '4':
        this.hooks.message(body);
        break;
      default:
        // 3 (pong), 5 (upgrade), 6 (noop): nothing to do over a plain WebSocket.
        break;
    }
  }

  armPingDeadline() {
    clearTimeout(this.pingTimer);
    // No ping for that long: the connection is dead (or half-open) even if it looks open.
    this.pingTimer = setTimeout(() => this.abandon(), this.pingDeadlineMs);
  }

  handleDrop() {
    clearTimeout(this.pingTimer);
    this.ws = null;
    this.hooks.dropped();
    if (!this.stopped) this.scheduleReconnect();
  }

  scheduleReconnect() {
    this.hooks.opening();
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
}
