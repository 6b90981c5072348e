// One member's time in a group: waiting in the lobby, chatting, moving on.
// Owns the Socket.IO conversation (docs/protocol.md section 2) and tells the views
// what changed through subscribe(). The member joins as resumable (section 6): when the
// connection drops, the new one resumes her place with her token before anything else,
// and the chat goes on.
//
// Phases:
//   idle          not in any group
//   waiting       in the group's lobby
//   chatting      paired, in a room
//   ended         the room is over for us (partner left, or our connection dropped)
//   finished      the group's series of timed rounds is over (section 8)
//   closed        the owner closed the group while we waited
//   removed       reports removed us from the group (docs/protocol.md section 7)
//
// While the group runs timed rounds, `series` follows them (series.js).

import { Outbox } from './outbox.js';
import { SeriesFollower } from './series.js';
import { CircleSocket, defaultSocketUrl } from './socket.js';
import { profanityFilter, rememberProfanityFilter } from './storage.js';

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

// The server passes on at most 2 `typing` a second per socket; one every 600 ms stays under it.
const TYPING_EVERY_MS = 600;

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
    this.matchCount = 0;
    // The group's series of timed rounds (section 8).
    this.series = new SeriesFollower(this);
    // The secret that resumes our place on a new connection (single use; never logged).
    this.token = null;
    // Whether the current connection resumed our place (else the server knows nothing of us).
    this.resumed = false;
    // `next` only works on the connection that joined the group (or resumed our place);
    // after a reconnect that could not resume, we use join_group again.
    this.joinedOnThisConnection = false;
    this.outbox = new Outbox(this.socket, (event) => this.notify(event));
    this.lastTypingAt = 0;
    this.typingTimer = null;
    // Whether the server masks partners' profanity for us (section 7); kept on this device.
    this.filterProfanity = profanityFilter();

    this.socket.on('join_room', (p) => this.onJoinRoom(p));
    this.socket.on('message', (p) => this.onMessage(p));
    this.socket.on('partner_left', (p) => this.onPartnerLeft(p));
    this.socket.on('partner_away', (p) => this.onPartnerPresence(p, true));
    this.socket.on('partner_back', (p) => this.onPartnerPresence(p, false));
    this.socket.on('typing', (p) => this.onTyping(p));
    this.socket.on('group_closed', (p) => this.onGroupClosed(p));
    this.socket.on('removed', (p) => this.onRemoved(p));
    this.socket.on('request_error', (p) => this.onRequestError(p));
    this.series.listen(this.socket);
    this.socket.onStatus((status, info) => this.onStatus(status, info));
    this.socket.setGreeting((send) => this.resume(send));
  }

  /**
   * fn(event) for {type: 'phase'|'message'|'outgoing'|'partner'|'typing'|'gap'|'error'|
   * 'connection'|'group_closed'|'rounds'|'round_ending'|'rounds_finished', ...}; returns
   * unsubscribe.
   */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The series of timed rounds running now: {round, of, phase, endsAt, bye}, or null. */
  get rounds() {
    return this.series.state;
  }

  /** After the last round: whether we still wait in the lobby (else we are in none). */
  get finishedInLobby() {
    return this.series.finishedInLobby;
  }

  get connectionStatus() {
    return this.socket.status;
  }

  /**
   * Enters the group's lobby. Resolves with the public group, or rejects with
   * {code, message} (server error) or a SocketError (transport).
   */
  async join(accessCode, name) {
    const payload = { access_code: accessCode, resumable: true, filter_profanity: this.filterProfanity };
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
      await this.rejoin();
    }
  }

  /**
   * Blocks the partner of the current room, also one who has left already
   * (docs/protocol.md section 7): the chat ends as if we left, the two are never paired
   * again in this group, and we wait for someone new. Rejects as request() does.
   */
  block() {
    return this.part('block', {});
  }

  /** As block(), and reports the partner for `reason` (spam, abuse or other). */
  report(reason) {
    return this.part('report', { reason });
  }

  /**
   * After the last round: back to meeting people the ordinary way. From the lobby we
   * just go on waiting; from no lobby (our room ended with the series) we ask for `next`.
   */
  async keepMeeting() {
    if (this.finishedInLobby && this.joinedOnThisConnection) this.setPhase('waiting');
    else await this.next();
  }

  /** Leaves lobby and room for good (also when the page goes away: the partner is told at once). */
  leave() {
    this.socket.emit('leave_room');
    this.room = null;
    this.partner = null;
    this.token = null;
    this.series.clear();
    this.joinedOnThisConnection = false;
    this.outbox.clear();
    this.setPhase('idle');
  }

  /**
   * Sends a chat message to the current room, now or once the connection is back. It is
   * reported as 'outgoing' until the server relays it back, and then shows as a message.
   */
  send(text) {
    if (this.phase !== 'chatting') return;
    // The message itself ends the typing: no late `typing` after it.
    clearTimeout(this.typingTimer);
    this.typingTimer = null;
    this.outbox.add({ room: this.room, id: newMessageId(), text, sender: this.name, sent_at: new Date().toISOString() });
  }

  /**
   * Tells the partner we are typing (docs/protocol.md section 7): at most one `typing`
   * every TYPING_EVERY_MS, only while connected (typing is ephemeral, never queued).
   */
  typing() {
    if (this.phase !== 'chatting' || this.typingTimer) return;
    const wait = this.lastTypingAt + TYPING_EVERY_MS - Date.now();
    if (wait > 0) {
      // Typing goes on within the interval: say so once more at its end.
      this.typingTimer = setTimeout(() => {
        this.typingTimer = null;
        this.typing();
      }, wait);
      return;
    }
    if (this.socket.emit('typing', { room: this.room })) this.lastTypingAt = Date.now();
  }

  /**
   * Turns the profanity filter on or off (docs/protocol.md section 7): messages that
   * arrive from now on are masked, or not; the choice is remembered on this device.
   * Rejects as request() does.
   */
  async setFilter(on) {
    this.filterProfanity = on;
    rememberProfanityFilter(on);
    const ack = await this.socket.request('set_filter', { profanity: on });
    if (!ack || ack.ok !== true) throw (ack && ack.error) || { code: 'unknown', message: '' };
  }

  /** Sends again a message that was not delivered. */
  retry(id) {
    this.outbox.retry(id);
  }

  // ---- internals ----

  /** Joins the remembered group again under the remembered name. */
  rejoin() {
    return this.enter('join_group', {
      access_code: this.group.access_code,
      name: this.name,
      resumable: true,
      filter_profanity: this.filterProfanity,
    });
  }

  /** Sends `block` or `report` for the current room; the phase event says which (`after`). */
  async part(event, payload) {
    if (this.room === null) throw { code: 'not_in_room', message: '' };
    await this.enter(event, { room: this.room, ...payload }, { after: event });
  }

  /**
   * Sends join_group/next (or block/report, whose ack is next's) and lands in the lobby
   * unless a match arrived meanwhile; `extra` goes with the 'phase' event.
   */
  async enter(event, payload, extra = {}) {
    const matchesBefore = this.matchCount;
    const ack = await this.socket.request(event, payload);
    if (!ack || ack.ok !== true) {
      throw (ack && ack.error) || { code: 'unknown', message: '' };
    }
    this.joinedOnThisConnection = true;
    this.series.seated();
    if (ack.member && typeof ack.member.token === 'string') this.token = ack.member.token;
    // join_group's ack tells the series running now (none: no series); next's says nothing.
    if (event === 'join_group') this.series.fromAck(ack.rounds);
    if (this.matchCount === matchesBefore) {
      this.room = null;
      this.partner = null;
      this.outbox.clear();
      this.setPhase('waiting', extra);
    }
    return ack.group;
  }

  /**
   * The greeting of every new connection: resumes our place when we have one (the server
   * replays what we missed, which the socket passes on once each, then acks). A connection
   * that does not resume starts a new member identity, whose events count from 1 again.
   */
  async resume(send) {
    this.resumed = false;
    if (!this.token || this.phase === 'idle') {
      this.socket.restartSequence();
      return;
    }
    let ack;
    try {
      ack = await send('resume', { token: this.token, last_seq: this.socket.lastSeq });
    } catch (err) {
      // Dropped before the answer: try again on the next connection. No answer at all
      // (a server that does not know `resume`): give the place up rather than loop.
      if (err.code !== 'timeout') throw err;
    }
    // Used either way: single use, or refused.
    this.token = null;
    if (!ack || ack.ok !== true) {
      this.socket.restartSequence();
      return;
    }
    this.resumed = true;
    this.joinedOnThisConnection = true;
    if (ack.member && typeof ack.member.token === 'string') this.token = ack.member.token;
    this.series.fromAck(ack.rounds);
    if (typeof ack.room === 'string' && ack.room !== this.room) {
      // Paired while away, and the replay no longer had the join_room.
      this.onJoinRoom({ room: ack.room, match: ack.match });
    } else if (typeof ack.room !== 'string' && this.phase === 'chatting') {
      this.endChat('connection');
    }
    if (ack.gap === true && this.phase === 'chatting') this.notify({ type: 'gap' });
  }

  /** Our room ended with its round (series.js): no partner, and what did not go out stays undelivered. */
  endRoomForRound() {
    this.room = null;
    this.partner = null;
    this.outbox.abandon();
  }

  /** The room is over for us: what has not gone out stays undelivered. */
  endChat(reason) {
    this.endReason = reason;
    this.outbox.abandon();
    this.setPhase('ended');
  }

  onJoinRoom(payload) {
    if (!payload || typeof payload.room !== 'string') return;
    this.matchCount += 1;
    this.series.seated({ paired: true });
    this.room = payload.room;
    const partnerName = payload.match && typeof payload.match.name === 'string' ? payload.match.name : '';
    this.partner = { name: partnerName || 'Someone' };
    this.prompt = typeof payload.prompt === 'string' && payload.prompt.trim() ? payload.prompt : null;
    this.endReason = null;
    this.outbox.clear();
    this.setPhase('chatting', { newMatch: true });
  }

  onMessage(payload) {
    // Compat notices ("Alice connected.") arrive as plain strings: not chat.
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return;
    if (payload.room !== this.room || this.room === null) return;
    const text = payloadText(payload);
    if (text === null) return;
    const own = this.outbox.confirm(payload.id);
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
    this.endChat(typeof payload.reason === 'string' ? payload.reason : 'left');
  }

  onTyping(payload) {
    if (!payload || payload.room !== this.room || this.phase !== 'chatting') return;
    this.notify({ type: 'typing' });
  }

  onPartnerPresence(payload, away) {
    if (!payload || payload.room !== this.room || this.phase !== 'chatting') return;
    this.notify({ type: 'partner', away });
  }

  onGroupClosed(payload) {
    const code = payload && payload.access_code;
    if (!this.group || (code && code.toLowerCase() !== this.group.access_code.toLowerCase())) return;
    this.joinedOnThisConnection = false;
    this.closedReason = 'owner';
    if (this.phase === 'waiting') this.setPhase('closed');
    else this.notify({ type: 'group_closed' });
  }

  /** Reports removed us from the group: lobby and room are gone, and so is our place. */
  onRemoved(payload) {
    const code = payload && payload.access_code;
    if (!this.group || typeof code !== 'string' || code.toLowerCase() !== this.group.access_code.toLowerCase()) return;
    this.room = null;
    this.partner = null;
    this.token = null;
    this.joinedOnThisConnection = false;
    this.outbox.clear();
    this.setPhase('removed');
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
      if (this.resumed) {
        // Back in our place, the missed events replayed: now what waited goes out.
        this.outbox.flush();
        return;
      }
      this.joinedOnThisConnection = false;
      if (this.phase === 'chatting') {
        // Our place is gone (resume_failed: the window passed, or the server restarted).
        this.endChat('connection');
      } else if (this.phase === 'waiting' && this.group) {
        // Take our place in the lobby again.
        this.rejoin().catch((err) => {
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
