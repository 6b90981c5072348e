// Chat messages on their way out (docs/protocol.md section 6). Each is kept, in the order
// it was written, until the server relays it back to us (its echo, matched by id).
// What is written while the connection is down waits here and goes out after the resume,
// in order. What was in flight when the connection dropped goes out again only if the
// replay before the resume ack did not bring its echo: the server never saw it. So every
// message is delivered exactly once.
//
// Changes are reported as {type: 'outgoing', id, text, state, retry}:
//   state 'sending'    shown as on its way
//   state 'failed'     not delivered; `retry` says whether sending it again can help
//   state 'done'       no longer outgoing: its echo arrived (the message itself comes as a
//                      'message' event), or the server refused it for good (an 'error' says why)

/** Refusals that may pass when tried again later (the partner is back, the server is less busy). */
const RETRYABLE = new Set(['partner_unreachable', 'overloaded', 'timeout']);

export class Outbox {
  /**
   * @param socket  the CircleSocket to send over
   * @param notify  fn(event) for the changes above and for {type: 'error'} refusals
   */
  constructor(socket, notify) {
    this.socket = socket;
    this.notify = notify;
    this.entries = new Map(); // id -> {payload, state: queued | inflight | sent | failed | delivered}
  }

  /** Sends a `message` payload (it has a fresh `id`) now, or after the reconnect. */
  add(payload) {
    const entry = { payload, state: 'queued' };
    this.entries.set(payload.id, entry);
    this.report(entry, 'sending');
    if (this.socket.connected) this.transmit(entry);
  }

  /** Sends again a message that was not delivered. */
  retry(id) {
    const entry = this.entries.get(id);
    if (!entry || entry.state !== 'failed') return;
    entry.state = 'queued';
    this.report(entry, 'sending');
    if (this.socket.connected) this.transmit(entry);
  }

  /** Sends what waits, in the order it was written: call once the member is resumed. */
  flush() {
    for (const entry of this.entries.values()) {
      if (entry.state === 'queued') this.transmit(entry);
    }
  }

  /**
   * An echo of message `id` arrived: it is delivered. Returns true when the message was
   * ours (written in this room), false for anybody else's.
   */
  confirm(id) {
    const entry = typeof id === 'string' ? this.entries.get(id) : undefined;
    if (!entry) return false;
    entry.state = 'delivered';
    this.report(entry, 'done');
    return true;
  }

  /** The conversation is over: what has not reached the server never will. */
  abandon() {
    for (const entry of this.entries.values()) {
      if (entry.state === 'queued' || entry.state === 'inflight') {
        entry.state = 'failed';
        this.report(entry, 'failed', { retry: false });
      }
    }
  }

  /** A new room: forget the last one's messages. */
  clear() {
    this.entries.clear();
  }

  // ---- internals ----

  transmit(entry) {
    entry.state = 'inflight';
    this.socket.request('message', entry.payload).then(
      (ack) => this.onAck(entry, ack),
      (err) => this.onTransportError(entry, err),
    );
  }

  /** Whether this entry is still the live one awaiting this answer. */
  awaiting(entry) {
    return this.entries.get(entry.payload.id) === entry && entry.state === 'inflight';
  }

  onAck(entry, ack) {
    if (!this.awaiting(entry)) return;
    if (ack && ack.ok === true) {
      // Delivered, or held for a partner who is away (`held: true`): sent either way.
      entry.state = 'sent';
      return;
    }
    const error = (ack && ack.error) || {};
    if (RETRYABLE.has(error.code)) {
      entry.state = 'failed';
      this.report(entry, 'failed', { retry: true });
    } else {
      this.entries.delete(entry.payload.id);
      this.report(entry, 'done');
      this.notify({ type: 'error', error, event: 'message' });
    }
  }

  onTransportError(entry, err) {
    if (!this.awaiting(entry)) return;
    if (err.code === 'timeout') {
      // The connection is up but the server did not answer: let the member decide.
      entry.state = 'failed';
      this.report(entry, 'failed', { retry: true });
    } else {
      // The connection dropped: the resume tells whether the server got it.
      entry.state = 'queued';
    }
  }

  report(entry, state, { retry = false } = {}) {
    this.notify({ type: 'outgoing', id: entry.payload.id, text: entry.payload.text, state, retry });
  }
}
