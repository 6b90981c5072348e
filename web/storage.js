// What the client keeps on this device (localStorage), and nowhere else:
// the group codes used lately, the owner tokens of groups created here, and whether
// the profanity filter is on.

const RECENT_KEY = 'circle.recentGroups';
const OWNED_KEY = 'circle.ownedGroups';
const FILTER_KEY = 'circle.filterProfanity';
const RECENT_MAX = 5;

function read(key, fallback) {
  try {
    const value = JSON.parse(localStorage.getItem(key));
    return value ?? fallback;
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled (private mode): the app works without it.
  }
}

/** Recently used groups, newest first: [{code, name}]. */
export function recentGroups() {
  const list = read(RECENT_KEY, []);
  return Array.isArray(list)
    ? list.filter((g) => g && typeof g.code === 'string' && typeof g.name === 'string')
    : [];
}

export function rememberGroup(code, name) {
  const rest = recentGroups().filter((g) => g.code !== code);
  write(RECENT_KEY, [{ code, name }, ...rest].slice(0, RECENT_MAX));
}

export function forgetGroup(code) {
  write(RECENT_KEY, recentGroups().filter((g) => g.code !== code));
}

/** Whether partners' profanity is masked (docs/protocol.md section 7): on unless turned off. */
export function profanityFilter() {
  return read(FILTER_KEY, true) !== false;
}

export function rememberProfanityFilter(on) {
  write(FILTER_KEY, on === true);
}

/** Groups created on this device: [{code, name, token, expires_at}]. */
export function ownedGroups() {
  const list = read(OWNED_KEY, []);
  return Array.isArray(list)
    ? list.filter((g) => g && typeof g.code === 'string' && typeof g.token === 'string')
    : [];
}

export function ownedGroup(code) {
  return ownedGroups().find((g) => g.code === code) || null;
}

export function rememberOwnedGroup({ code, name, token, expires_at }) {
  const rest = ownedGroups().filter((g) => g.code !== code);
  write(OWNED_KEY, [{ code, name, token, expires_at }, ...rest]);
}

export function forgetOwnedGroup(code) {
  write(OWNED_KEY, ownedGroups().filter((g) => g.code !== code));
}

/** Drops owned groups whose expiry has passed. */
export function pruneExpiredOwnedGroups(now = Date.now()) {
  const live = ownedGroups().filter((g) => !g.expires_at || Date.parse(g.expires_at) > now);
  write(OWNED_KEY, live);
}
