// A member's view of her group's series of timed rounds (docs/protocol.md section 8):
// follows round_started, round_bye, round_ended, round_ending, round_break and
// rounds_finished, and the `rounds` of join_group's and resume's acks, and moves the
// session between chat, lobby and "finished". A round's end is not a partner leaving:
// the room ends and the member waits for what comes next (a new round, a break, the end).

import { parseTime, seriesState } from './rounds.js';

/** A running round as round_started and round_bye tell it; `bye` when we sit it out. */
function roundOf(payload, bye) {
  return {
    round: payload.round,
    of: Number.isSafeInteger(payload.of) ? payload.of : null,
    phase: 'round',
    endsAt: parseTime(payload.ends_at),
    bye,
  };
}

export class SeriesFollower {
  /**
   * @param session  the member's Session: its phase, room, setPhase(), notify() and
   *   endRoomForRound() are used here
   */
  constructor(session) {
    this.session = session;
    // The series while one runs: {round, of, phase, endsAt, bye} (rounds.js), else null.
    this.state = null;
    // Our room ended with a round and we are in no lobby yet: set by round_ended, cleared
    // by whatever seats us again (a new round, a bye, a break, a pair, a join).
    this.outOfLobby = false;
    // Once the series is over: whether we still wait in the lobby (else we are in none).
    this.finishedInLobby = false;
  }

  /** Listens to the series' events on `socket`. */
  listen(socket) {
    socket.on('round_started', (p) => this.onRoundStarted(p));
    socket.on('round_bye', (p) => this.onRoundBye(p));
    socket.on('round_ended', (p) => this.onRoundEnded(p));
    socket.on('round_ending', (p) => this.onRoundEnding(p));
    socket.on('round_break', (p) => this.onRoundBreak(p));
    socket.on('rounds_finished', () => this.onRoundsFinished());
    socket.on('rounds_stopped', () => this.onRoundsStopped());
  }

  /** The series as an ack tells it (a bye we were told of stays while it is the same round). */
  fromAck(raw) {
    const state = seriesState(raw);
    const running = state && state.phase !== 'finished' ? state : null;
    const before = this.state;
    if (running && before && before.bye && before.round === running.round && running.phase === 'round') {
      running.bye = true;
    }
    this.state = running;
    this.session.notify({ type: 'rounds' });
  }

  /**
   * We are seated again (a pair, a join, `next`): no bye, and in a lobby or a room. Nobody
   * is paired during a break, so a pair then means the series was stopped.
   */
  seated({ paired = false } = {}) {
    this.outOfLobby = false;
    if (this.state) this.state.bye = false;
    if (paired && this.state && this.state.phase === 'break') this.state = null;
  }

  /** We left the group: no series to follow. */
  clear() {
    this.state = null;
  }

  /** A round starts for us and a partner: her join_room follows. */
  onRoundStarted(payload) {
    if (!payload || !Number.isSafeInteger(payload.round)) return;
    this.outOfLobby = false;
    this.state = roundOf(payload, false);
    this.session.notify({ type: 'rounds' });
  }

  /** We sit this round out and wait in the lobby (round_bye tells the round as round_started does). */
  onRoundBye(payload) {
    if (!payload || !Number.isSafeInteger(payload.round)) return;
    this.outOfLobby = false;
    this.state = roundOf(payload, true);
    this.showLobby();
  }

  /** The owner stopped the series: chats go on as ordinary chats, waiters wait as usual. */
  onRoundsStopped() {
    this.state = null;
    if (this.session.phase === 'waiting') this.showLobby();
    else this.session.notify({ type: 'rounds' });
  }

  /** Our room ended with its round. What comes next says where we are. */
  onRoundEnded(payload) {
    if (!payload || this.session.room === null) return;
    this.session.endRoomForRound();
    this.outOfLobby = true;
    this.showLobby();
  }

  /** The round ends in `seconds_left`: a countdown that did not know its end learns it now. */
  onRoundEnding(payload) {
    if (!payload || !Number.isSafeInteger(payload.seconds_left)) return;
    if (this.state && this.state.round === payload.round && this.state.endsAt === null) {
      this.state.endsAt = Date.now() + payload.seconds_left * 1000;
      this.session.notify({ type: 'rounds' });
    }
    this.session.notify({ type: 'round_ending', secondsLeft: payload.seconds_left });
  }

  /** A break between rounds: we wait in the lobby until the next round starts. */
  onRoundBreak(payload) {
    if (!payload || !Number.isSafeInteger(payload.round)) return;
    this.outOfLobby = false;
    this.state = {
      round: payload.round,
      of: this.state ? this.state.of : null,
      phase: 'break',
      endsAt: parseTime(payload.ends_at),
      bye: false,
    };
    this.showLobby();
  }

  /**
   * The series is over. A member whose room ended with it is in no lobby; one who waited
   * still waits; one in an ordinary chat (paired between rounds) chats on.
   */
  onRoundsFinished() {
    const session = this.session;
    this.state = null;
    this.finishedInLobby = !this.outOfLobby;
    if (session.phase === 'chatting') session.notify({ type: 'rounds_finished' });
    else if (session.phase === 'waiting') session.setPhase('finished');
  }

  /** Shows the lobby for a change of the series (a chat still running stays). */
  showLobby() {
    const session = this.session;
    const inRoom = session.phase === 'chatting' && session.room !== null;
    if (!inRoom && ['chatting', 'waiting', 'finished'].includes(session.phase)) {
      session.setPhase('waiting');
    } else {
      session.notify({ type: 'rounds' });
    }
  }
}
