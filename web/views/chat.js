// The conversation with one partner: the pair's icebreaker, messages, composer,
// "Next person", "Leave", "Block" and "Report" (safety.js), the profanity filter's toggle,
// and the ended state when the partner goes (the messages stay visible; she may still
// block or report the partner who left). While the partner's connection is away a note
// says so; our own messages wait at the end of the log (outgoing.js) until the server
// relays them.

import { h, shortTime, uid } from '../dom.js';
import { describeError } from '../errors.js';
import { outgoingMessages } from './outgoing.js';
import { safetyControls } from './safety.js';

const MAX_MESSAGE_CHARS = 2000;
// How long "<name> is typing…" stays after the partner's last `typing`.
const TYPING_SHOWN_MS = 3000;

const ENDED_TEXT = {
  left: (p) => `${p} left the conversation.`,
  next: (p) => `${p} moved on to meet someone else.`,
  disconnected: (p) => `${p} lost their connection, so the conversation has ended.`,
  connection: () => 'Your connection dropped, so this conversation has ended.',
};

export function chatView({ groupName, partnerName, prompt, filterOn, actions }) {
  const error = h('p', { class: 'notice notice-error', role: 'alert', hidden: true, 'data-role': 'room-error' });
  const log = h('ol', {
    class: 'messages',
    role: 'log',
    'aria-live': 'polite',
    'aria-label': `Conversation with ${partnerName}`,
    tabindex: '0',
  });
  log.append(systemNote(`You are now talking with ${partnerName}. Say hello.`));
  const outgoing = outgoingMessages(log, actions.retry);
  const partnerAway = h(
    'p',
    { class: 'notice notice-warn', role: 'status', hidden: true, 'data-role': 'partner-away' },
    `${partnerName}'s connection dropped — waiting for them to come back.`,
  );

  const typingNote = h(
    'p',
    { class: 'typing-note', role: 'status', hidden: true, 'data-role': 'partner-typing' },
    `${partnerName} is typing…`,
  );
  let typingTimer = null;
  function stopTyping() {
    clearTimeout(typingTimer);
    typingNote.hidden = true;
  }

  const titlePrefix = h('span', { class: 'title-prefix' }, 'Talking with ');
  const nextButton = h('button', { type: 'button', class: 'button' }, 'Next person');
  const leaveButton = h('button', { type: 'button', class: 'button subtle' }, 'Leave');
  leaveButton.addEventListener('click', actions.leave);
  nextButton.addEventListener('click', () => moveOn(nextButton, 'Next person'));
  const safety = safetyControls({ partnerName, block: actions.block, report: actions.report });

  const inputId = uid('compose');
  const input = h('textarea', {
    id: inputId,
    rows: 1,
    maxlength: MAX_MESSAGE_CHARS,
    placeholder: `Message ${partnerName}`,
    autocomplete: 'off',
    enterkeyhint: 'send',
  });
  const sendButton = h('button', { type: 'submit', class: 'button primary' }, 'Send');
  const composer = h(
    'form',
    { class: 'composer', novalidate: true },
    h('label', { for: inputId, class: 'visually-hidden' }, `Message to ${partnerName}`),
    input,
    sendButton,
  );

  const filterToggle = profanityToggle(filterOn, actions.setFilter, (err) => {
    error.textContent = describeError(err, 'set_filter');
    error.hidden = false;
  });

  const findButton = h('button', { type: 'button', class: 'button primary' }, 'Find someone new');
  findButton.addEventListener('click', () => moveOn(findButton, 'Find someone new'));
  const endedText = h('p', { class: 'ended-text' });
  const endedPanel = h(
    'div',
    { class: 'ended-panel', hidden: true, role: 'status' },
    endedText,
    h('div', { class: 'actions' }, findButton, h('button', { type: 'button', class: 'button subtle', onclick: actions.leave }, 'Leave')),
  );

  const el = h(
    'section',
    { class: 'chat', 'aria-labelledby': 'chat-title' },
    h(
      'header',
      { class: 'chat-header' },
      h(
        'div',
        { class: 'chat-title' },
        groupName ? h('p', { class: 'eyebrow' }, groupName) : null,
        h('h1', { id: 'chat-title', tabindex: '-1' }, titlePrefix, h('span', { class: 'partner-name' }, partnerName)),
      ),
      h('div', { class: 'chat-actions' }, nextButton, leaveButton, safety.el),
    ),
    prompt
      ? h(
          'aside',
          { class: 'icebreaker', 'aria-labelledby': 'icebreaker-title' },
          h('p', { class: 'eyebrow', id: 'icebreaker-title' }, 'Icebreaker'),
          h('p', { class: 'icebreaker-text' }, prompt),
        )
      : null,
    error,
    partnerAway,
    log,
    typingNote,
    endedPanel,
    composer,
    filterToggle,
    safety.dialogs,
  );

  async function moveOn(button, label) {
    button.disabled = true;
    button.textContent = 'Finding…';
    error.hidden = true;
    try {
      await actions.next();
    } catch (err) {
      error.textContent = describeError(err, 'next');
      error.hidden = false;
      button.disabled = false;
      button.textContent = label;
    }
  }

  function submit() {
    const text = input.value.trim();
    if (!text) return;
    error.hidden = true;
    actions.send(text.slice(0, MAX_MESSAGE_CHARS));
    input.value = '';
    autosize();
  }

  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
    input.focus();
  });
  input.addEventListener('keydown', (event) => {
    // Enter sends; Shift+Enter starts a new line; never while an IME is composing.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener('input', autosize);
  input.addEventListener('input', () => {
    if (input.value.trim()) actions.typing();
  });

  function autosize() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  }

  /** Adds to the log, before our messages still on their way (which stay last). */
  function append(node) {
    const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    log.insertBefore(node, outgoing.first());
    if (nearBottom) log.scrollTop = log.scrollHeight;
  }

  return {
    el,
    focus: input,
    addMessage({ own, sender, text, sentAt }) {
      if (!own) stopTyping();
      const time = shortTime(sentAt);
      append(
        h(
          'li',
          { class: own ? 'msg msg-own' : 'msg msg-partner' },
          h(
            'div',
            { class: 'msg-meta' },
            h('span', { class: 'msg-sender' }, own ? `${sender} (you)` : sender),
            h('time', { datetime: time.iso }, time.text),
          ),
          h('p', { class: 'msg-text' }, text),
        ),
      );
    },
    note(text) {
      append(systemNote(text));
    },
    /** An 'outgoing' change of one of our messages (see outbox.js). */
    outgoing(change) {
      outgoing.update(change);
      log.scrollTop = log.scrollHeight;
    },
    /** Shows "<name> is typing…" for TYPING_SHOWN_MS after her latest `typing`. */
    partnerTyping() {
      typingNote.hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(stopTyping, TYPING_SHOWN_MS);
    },
    /** Shows (or clears) the note that the partner's connection dropped. */
    partnerAway(away) {
      partnerAway.hidden = !away;
    },
    end(reason) {
      partnerAway.hidden = true;
      stopTyping();
      const sentence = (ENDED_TEXT[reason] || ENDED_TEXT.left)(partnerName);
      endedText.textContent = sentence;
      endedPanel.hidden = false;
      composer.hidden = true;
      nextButton.hidden = true;
      leaveButton.hidden = true;
      // Without our connection the server no longer knows the room: nothing to block.
      safety.el.hidden = reason === 'connection';
      titlePrefix.textContent = 'Conversation with ';
      el.classList.add('is-ended');
      findButton.focus();
    },
  };
}

/**
 * The seed's checkbox under the chat, "Profanity Filter: On/Off": the server masks the
 * partner's messages from now on while it is on (docs/protocol.md section 7).
 */
function profanityToggle(on, setFilter, onError) {
  const id = uid('filter');
  const box = h('input', { type: 'checkbox', id, 'data-role': 'profanity-filter' });
  box.checked = on;
  const state = h('span', { class: 'filter-state' }, on ? 'On' : 'Off');
  box.addEventListener('change', () => {
    const wanted = box.checked;
    state.textContent = wanted ? 'On' : 'Off';
    // Settled once the server has it: later messages follow the new setting.
    box.disabled = true;
    setFilter(wanted)
      .catch(onError)
      .finally(() => {
        box.disabled = false;
      });
  });
  return h('div', { class: 'filter-toggle' }, box, h('label', { for: id }, 'Profanity Filter: ', state));
}

function systemNote(text) {
  return h('li', { class: 'system-note' }, text);
}
