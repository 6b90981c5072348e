// The member's time in the group: waiting, chatting, partner gone, group closed, removed
// by reports. Follows the session's phase; the chat itself is in chat.js.

import { h, messageBox } from '../dom.js';
import { describeError } from '../errors.js';
import { forgetGroup } from '../storage.js';
import { chatView } from './chat.js';

export function renderRoom(app, { code }) {
  const session = app.getSession();
  const el = h('div', { class: 'screen room' });
  let chat = null;
  // The partner of the latest chat, for the note after blocking or reporting them.
  let partnerName = '';

  const actions = {
    next: () => session.next(),
    leave: () => {
      session.leave();
      app.go('home');
    },
    send: (text) => session.send(text),
    retry: (id) => session.retry(id),
    typing: () => session.typing(),
    setFilter: (on) => session.setFilter(on),
    block: () => session.block(),
    report: (reason) => session.report(reason),
  };

  function render(event = {}) {
    const groupName = session.group ? session.group.name : '';
    switch (session.phase) {
      case 'waiting':
        chat = null;
        mount(waitingView(groupName, actions, partedNote(event.after, partnerName)));
        document.title = 'Waiting… · The Circle';
        break;
      case 'chatting':
        if (!chat || event.newMatch) {
          partnerName = session.partner.name;
          chat = chatView({
            groupName,
            partnerName,
            prompt: session.prompt,
            filterOn: session.filterProfanity,
            actions,
          });
          mount(chat.el, chat.focus);
        }
        document.title = `Chatting with ${session.partner.name} · The Circle`;
        break;
      case 'ended':
        if (chat) chat.end(session.endReason);
        else mount(waitingView(groupName, actions));
        document.title = 'Conversation ended · The Circle';
        break;
      case 'closed':
        chat = null;
        forgetGroup(code);
        mount(closedView(actions, session.closedReason));
        document.title = 'Group closed · The Circle';
        break;
      case 'removed':
        chat = null;
        forgetGroup(code);
        mount(removedView(groupName, actions));
        document.title = 'Removed from the group · The Circle';
        break;
      default:
        break;
    }
  }

  function mount(node, focusTarget) {
    // A dialog of the chat going away (block, report) must not stay modal.
    for (const dialog of el.querySelectorAll('dialog[open]')) dialog.close();
    el.replaceChildren(node);
    const target = focusTarget || node.querySelector('h1');
    if (target) target.focus();
  }

  const unsubscribe = session.subscribe((event) => {
    if (event.type === 'phase') render(event);
    else if (event.type === 'message' && chat) chat.addMessage(event.message);
    else if (event.type === 'outgoing' && chat) chat.outgoing(event);
    else if (event.type === 'partner' && chat) chat.partnerAway(event.away);
    else if (event.type === 'typing' && chat) chat.partnerTyping();
    else if (event.type === 'gap' && chat) chat.note('Some messages may be missing: the connection was away for too long.');
    else if (event.type === 'error') showError(event.error, event.event);
    else if (event.type === 'group_closed' && chat) chat.note('The owner has closed this group. You can finish this conversation, but no new one can start.');
  });

  function showError(error, eventName) {
    const box = el.querySelector('[data-role="room-error"]');
    if (box) {
      box.textContent = describeError(error, eventName);
      box.hidden = false;
    }
  }

  render();
  return {
    el,
    focus: el.querySelector('textarea') || el.querySelector('h1'),
    destroy: () => {
      unsubscribe();
      document.title = 'The Circle';
    },
  };
}

/** What the waiting screen says right after she blocked or reported `partnerName`. */
function partedNote(after, partnerName) {
  if (after === 'block') return `You blocked ${partnerName}. You will not be paired with them again in this group.`;
  if (after === 'report') return `Thank you for your report. You will not be paired with ${partnerName} again in this group.`;
  return null;
}

function waitingView(groupName, actions, parted) {
  const error = h('p', { class: 'notice notice-error', role: 'alert', hidden: true, 'data-role': 'room-error' });
  return h(
    'section',
    { class: 'card waiting stack', 'aria-labelledby': 'waiting-title' },
    h('div', { class: 'pulse', 'aria-hidden': 'true' }, h('span'), h('span')),
    groupName ? h('p', { class: 'eyebrow' }, groupName) : null,
    h('h1', { id: 'waiting-title', tabindex: '-1' }, 'Waiting for someone to talk to…'),
    parted ? h('p', { class: 'notice notice-info', role: 'status', 'data-role': 'parted' }, parted) : null,
    h('p', { class: 'lead' }, 'You will be paired at random with another member of ', h('strong', {}, groupName || 'this group'), ' as soon as someone is free. Keep this page open.'),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button', onclick: actions.leave }, 'Cancel')),
  );
}

function closedView(actions, reason) {
  const note = messageBox();
  note.error(
    reason === 'gone'
      ? 'This group no longer exists: it has expired or was closed, so no new conversations can start in it.'
      : 'This group has been closed by its owner, so no new conversations can start in it.',
  );
  return h(
    'section',
    { class: 'card stack', 'aria-labelledby': 'closed-title' },
    h('h1', { id: 'closed-title', tabindex: '-1' }, 'This group is closed'),
    note.el,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button primary', onclick: actions.leave }, 'Back to home')),
  );
}

/** Reports removed her from the group: she cannot join it again, so no way back in here. */
function removedView(groupName, actions) {
  return h(
    'section',
    { class: 'card stack', 'aria-labelledby': 'removed-title' },
    groupName ? h('p', { class: 'eyebrow' }, groupName) : null,
    h('h1', { id: 'removed-title', tabindex: '-1' }, 'You were removed from this group'),
    h(
      'p',
      { class: 'notice notice-error' },
      'Members of this group reported you, so you can no longer join it or meet anyone in it. Other groups are not affected.',
    ),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button primary', onclick: actions.leave }, 'Back to home')),
  );
}
