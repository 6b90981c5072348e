// The HTTP API (docs/protocol.md section 1). Every failure becomes an ApiError with
// a stable code and a human message, whatever went wrong on the way.

export class ApiError extends Error {
  constructor(code, message, status = 0) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

async function call(method, path, { body, token } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
    });
  } catch {
    throw new ApiError('network', 'Cannot reach the server. Check your connection and try again.');
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const err = data && typeof data === 'object' ? data.error : null;
    const code = err && typeof err.code === 'string' ? err.code : `http_${response.status}`;
    const message = err && typeof err.message === 'string' ? err.message : response.statusText;
    throw new ApiError(code, message || 'The request failed.', response.status);
  }
  return data;
}

const codePath = (code) => `/groups/${encodeURIComponent(code)}`;

/** POST /groups: resolves with the group and its owner_token. */
export function createGroup({ name, description, rules, prompts }) {
  return call('POST', '/groups', { body: { name, description, rules, prompts } });
}

/** GET /groups/{code}: the group's public view. */
export function getGroup(code) {
  return call('GET', codePath(code));
}

/** DELETE /groups/{code} as its owner. */
export function closeGroup(code, ownerToken) {
  return call('DELETE', codePath(code), { token: ownerToken });
}

/** GET /groups/{code}/stats as its owner: {waiting, chatting, pairs_formed, reports, removed}. */
export function groupStats(code, ownerToken) {
  return call('GET', `${codePath(code)}/stats`, { token: ownerToken });
}

/**
 * POST /groups/{code}/rounds as its owner (docs/protocol.md section 8): starts a series of
 * {round_seconds, break_seconds, rounds} now; resolves with its state {round, of, phase, ends_at}.
 */
export function startRounds(code, ownerToken, settings) {
  return call('POST', `${codePath(code)}/rounds`, { body: settings, token: ownerToken });
}

/** GET /groups/{code}/rounds as its owner: the series' state; 404 no_rounds when none. */
export function getRounds(code, ownerToken) {
  return call('GET', `${codePath(code)}/rounds`, { token: ownerToken });
}

/** DELETE /groups/{code}/rounds as its owner: stops the series at once. */
export function stopRounds(code, ownerToken) {
  return call('DELETE', `${codePath(code)}/rounds`, { token: ownerToken });
}
