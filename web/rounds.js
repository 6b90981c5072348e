// Timed rounds (docs/protocol.md section 8) as the page shows them: the series' state
// from the server's JSON, and the countdown line computed from `ends_at` against the
// local clock ("Round 2 of 5 — 3:12 left", "Break — next round in 0:45").

/** The limits of POST /groups/{code}/rounds, checked on the page before asking. */
export const ROUND_SECONDS = { min: 10, max: 3600 };
export const BREAK_SECONDS = { min: 0, max: 600 };
export const ROUNDS = { min: 1, max: 50 };

/** How often a shown countdown is redrawn. */
export const TICK_MS = 1000;

/**
 * A countdown this long past its end is no longer shown: the series was stopped (members
 * are not told) or its next step is late (which brings the countdown back).
 */
export const STALE_MS = 10000;

/** A time in milliseconds from an RFC 3339 string, or null when there is none. */
export function parseTime(iso) {
  const ms = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The state {round, of, phase, endsAt, bye} from the server's {round, of, phase, ends_at}
 * (an ack's `rounds`, GET /rounds), or null when it is missing or malformed.
 */
export function seriesState(raw) {
  if (!raw || typeof raw !== 'object') return null;
  if (!Number.isSafeInteger(raw.round) || !['round', 'break', 'finished'].includes(raw.phase)) return null;
  return {
    round: raw.round,
    of: Number.isSafeInteger(raw.of) ? raw.of : null,
    phase: raw.phase,
    endsAt: parseTime(raw.ends_at),
    bye: false,
  };
}

/** "m:ss" for a span of milliseconds (never below 0:00; partial seconds count as whole). */
export function formatLeft(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * The countdown line of a running round or break at `now`: "Round 2 of 5 — 3:12 left",
 * "Break — next round in 0:45"; parts the page does not know are left out, and a line
 * STALE_MS past its end is empty.
 */
export function countdownText(state, now = Date.now()) {
  if (!state || (state.endsAt !== null && now - state.endsAt > STALE_MS)) return '';
  const left = state.endsAt === null ? null : formatLeft(state.endsAt - now);
  if (state.phase === 'break') return left === null ? 'Break' : `Break — next round in ${left}`;
  const name = state.of === null ? `Round ${state.round}` : `Round ${state.round} of ${state.of}`;
  return left === null ? name : `${name} — ${left} left`;
}
