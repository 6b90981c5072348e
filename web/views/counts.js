// The owner's live counts (docs/protocol.md section 7): who waits and who chats now, and
// what happened since the group began. Counts only, never names.

import { h } from '../dom.js';
import { groupStats } from '../api.js';

/** How long after one reading the next one starts (the server is asked at most this often). */
const REFRESH_MS = 5000;

const COUNTS = [
  ['waiting', 'Waiting'],
  ['chatting', 'Chatting'],
  ['pairs_formed', 'Pairs formed'],
  ['reports', 'Reports'],
  ['removed', 'Removed'],
];

/**
 * The counts of an owned group {code, token}, read now and every 5 s while the tab is
 * visible; stop() ends the readings (the screen calls it when it goes, or the group closes).
 */
export function ownerCounts(owned) {
  const values = {};
  const items = COUNTS.map(([key, label]) => {
    values[key] = h('dd', { 'data-count': key }, '–');
    return h('div', { class: 'count' }, h('dt', {}, label), values[key]);
  });
  const note = h('p', { class: 'hint', role: 'status' });
  let timer = null;
  let stopped = false;

  async function refresh() {
    timer = null;
    if (!document.hidden) {
      try {
        const counts = await groupStats(owned.code, owned.token);
        if (stopped) return;
        for (const [key] of COUNTS) values[key].textContent = String(counts[key]);
        note.textContent = '';
      } catch (err) {
        if (stopped) return;
        if (err.status === 404 || err.status === 403) {
          note.textContent = 'The counts are no longer available.';
          stop();
          return;
        }
        note.textContent = 'Could not refresh the counts; trying again shortly.';
      }
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  }

  function stop() {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
  }

  refresh();
  const el = h(
    'div',
    { class: 'owner-counts stack-sm' },
    h('h3', {}, 'In your group'),
    h('dl', { class: 'count-list' }, items),
    note,
  );
  return { el, stop };
}
