// One member's time in a group: waiting in the lobby, chatting, moving on.
// Owns the Socket.IO conversation (docs/protocol.md section 2) and tells the views
// what changed through subscribe().
//
// Phases:
//   idle          not in any group
//   waiting       in the group's lobby
//   chatting      paired, in a room
//   ended         the room is over for us (partner left, or our connection dropped)
//   closed        the owner closed the group while we waited

import { CircleSocket, defaultSocketUrl } from './socket.js';

function newMessageId() {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Text of a relayed chat payload; tolerant of other clients' key names. */
function payloadText(payload) {
  for (const key of ['text', 'message', 'msg', 'content', 'body']) {
    if (typeof payload[key] === 'string') return payload[key];
  }
  return null;
}

export class Session {
  constructor(socketUrl = defaultSocketUrl()) {
    this.socket = new CircleSocket(socketUrl);
    this.listeners = new Set();
    this.phase = 'idle';
    this.group = null; // public group JSON
    this.name = '';
    this.room = null;
    this.partner = null; // {name}
    this.prompt = null; // the pair's icebreaker, when the group has prompts
    this.endReason = null; // left | next | disconnected | connection
    this.closedReason = null; // owner | gone
    this.sentIds = new Set();
    this.matchCount = 0;
    // `next` only works on the connection that joined the group; after a
    // reconnect the server knows nothing about us and we use join_group again.
    this.joinedOnThisConnection = false;

    this.socket.on('join_room', (p) => this.onJoinRoom(p));
    this.socket.on('message', (p) => this.onMessage(p));
    this.socket.on('partner_left', (p) => this.onPartnerLeft(p));
    this.socket.on('group_closed', (p) => this.onGroupClosed(p));
    this.socket.on('request_error', (p) => this.onRequestError(p));
    this.socket.onStatus((status, info) => this.onStatus(status, info));
  }

  /** fn(event) for {type: 'phase'|'message'|'error'|'connection', ...}; returns unsubscribe. */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get connectionStatus() {
    return this.socket.status;
  }

  /**
   * Enters the group's lobby. Resolves with the public group, or rejects with
   * {code, message} (server error) or a SocketError (transport).
   */
  async join(accessCode, name) {
    const payload = { access_code: accessCode };
    if (name) payload.name = name;
    const group = await this.enter('join_group', payload);
    this.group = group || this.group;
    this.name = name || 'Anonymous';
    return this.group;
  }

  /** Leaves the current room (if any) and waits for someone new in the same group. */
  async next() {
    if (!this.group) throw { code: 'not_in_group', message: '' };
    if (this.joinedOnThisConnection) {
      await this.enter('next', {});
    } else {
      await this.enter('join_group', { access_code: this.group.access_code, name: this.name });
    }
  }

  /** Leaves lobby and room for good. */
  leave() {
    this.socket.emit('leave_room');
    this.room = null;
    this.partner = null;
    this.joinedOnThisConnection = false;
    this.setPhase('idle');
  }

  /** Sends a chat message to the current room; it shows once the server relays it back. */
  async send(text) {
    if (this.phase !== 'chatting') return;
    const id = newMessageId();
    this.sentIds.add(id);
    const payload = { room: this.room, id, text, sender: this.name, sent_at: new Date().toISOString() };
    let ack;
    try {
      ack = await this.socket.request('message', payload);
    } catch (err) {
      // No ack in time or the connection dropped: the relay may still have happened.
      if (err.code !== 'timeout') this.notify({ type: 'error', error: err, event: 'message' });
      return;
    }
    if (ack && ack.ok === false) {
      this.notify({ type: 'error', error: ack.error || {}, event: 'message' });
    }
  }

  // ---- internals ----

  /** Sends join_group/next and lands in the lobby unless a match arrived meanwhile. */
  async enter(event, payload) {
    const matchesBefore = this.matchCount;
    const ack = await this.socket.request(event, payload);
    if (!ack || ack.ok !== true) {
      throw (ack && ack.error) || { code: 'unknown', message: '' };
    }
    this.joinedOnThisConnection = true;
    if (this.matchCount === matchesBefore) {
      this.room = null;
      this.partner = null;
      this.setPhase('waiting');
    }
    return ack.group;
  }

  onJoinRoom(payload) {
    if (!payload || typeof payload.room !== 'string') return;
    this.matchCount += 1;
    this.room = payload.room;
    const partnerName = payload.match && typeof payload.match.name === 'string' ? payload.match.name : '';
    this.partner = { name: partnerName || 'Someone' };
    this.prompt = typeof payload.prompt === 'string' && payload.prompt.trim() ? payload.prompt : null;
    this.endReason = null;
    this.sentIds.clear();
    this.setPhase('chatting', { newMatch: true });
  }

  onMessage(payload) {
    // Compat notices ("Alice connected.") arrive as plain strings: not chat.
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return;
    if (payload.room !== this.room || this.room === null) return;
    const text = payloadText(payload);
    if (text === null) return;
    const own = typeof payload.id === 'string' && this.sentIds.has(payload.id);
    const sender = own
      ? this.name
      : typeof payload.sender === 'string' && payload.sender
        ? payload.sender
        : this.partner?.name || 'Partner';
    this.notify({
      type: 'message',
      message: { own, sender, text, sentAt: typeof payload.sent_at === 'string' ? payload.sent_at : null },
    });
  }

  onPartnerLeft(payload) {
    if (!payload || payload.room !== this.room || this.phase !== 'chatting') return;
    this.endReason = typeof payload.reason === 'string' ? payload.reason : 'left';
    this.setPhase('ended');
  }

  onGroupClosed(payload) {
    const code = payload && payload.access_code;
    if (!this.group || (code && code.toLowerCase() !== this.group.access_code.toLowerCase())) return;
    this.joinedOnThisConnection = false;
    this.closedReason = 'owner';
    if (this.phase === 'waiting') this.setPhase('closed');
    else this.notify({ type: 'group_closed' });
  }

  onRequestError(payload) {
    if (!payload || typeof payload !== 'object') return;
    this.notify({ type: 'error', error: payload, event: payload.event });
  }

  onStatus(status, info) {
    this.notify({ type: 'connection', status });
    if (status === 'reconnecting') {
      this.joinedOnThisConnection = false;
    }
    if (status === 'connected' && info.reconnected) {
      this.joinedOnThisConnection = false;
      if (this.phase === 'chatting') {
        // Our old socket is gone, and with it our place in the room.
        this.endReason = 'connection';
        this.setPhase('ended');
      } else if (this.phase === 'waiting' && this.group) {
        // Take our place in the lobby again.
        this.enter('join_group', { access_code: this.group.access_code, name: this.name }).catch((err) => {
          this.notify({ type: 'error', error: err, event: 'join_group' });
          if (err && (err.code === 'group_not_found' || err.code === 'group_closed')) {
            this.closedReason = 'gone';
            this.setPhase('closed');
          }
        });
      }
    }
  }

  setPhase(phase, extra = {}) {
    this.phase = phase;
    this.notify({ type: 'phase', phase, ...extra });
  }

  notify(event) {
    for (const fn of [...this.listeners]) {
      try {
        fn(event);
      } catch (err) {
        console.error('session listener failed', err);
      }
    }
  }
}
