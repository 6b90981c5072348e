// Our messages on their way out, as bubbles at the end of the chat log: "Sending…" until
// the server relays them back (then the chat shows them as messages, in the server's
// order), or "Not delivered" with a Retry button when sending again can help.

import { h } from '../dom.js';

/**
 * Keeps the outgoing bubbles of `log`, all after its delivered messages.
 * retry(id) sends message `id` again.
 */
export function outgoingMessages(log, retry) {
  const bubbles = new Map(); // message id -> <li>

  function bubble(id, text, state) {
    let li = bubbles.get(id);
    if (!li) {
      li = h('li', { class: 'msg msg-outgoing' });
      bubbles.set(id, li);
    }
    // New or sent again, it goes (back) to the end: that is where it will be delivered.
    if (state === 'sending' || !li.isConnected) log.append(li);
    li.replaceChildren(h('p', { class: 'msg-text' }, text));
    return li;
  }

  return {
    /** The first outgoing bubble in the log (null when there is none). */
    first() {
      return log.querySelector(':scope > .msg-outgoing');
    },
    /** Shows an 'outgoing' change: {id, text, state: sending | failed | done, retry}. */
    update({ id, text, state, retry: canRetry }) {
      if (state === 'done') {
        bubbles.get(id)?.remove();
        bubbles.delete(id);
        return;
      }
      const li = bubble(id, text, state);
      li.classList.toggle('is-failed', state === 'failed');
      const status = h('p', { class: 'msg-status' });
      if (state === 'sending') {
        status.append('Sending…');
      } else {
        status.append('Not delivered.');
        if (canRetry) {
          const label = `Retry sending “${text}”`;
          status.append(h('button', { type: 'button', class: 'button retry', 'aria-label': label, onclick: () => retry(id) }, 'Retry'));
        }
      }
      li.append(status);
    },
  };
}
