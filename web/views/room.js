// The member's time in the group: waiting, chatting, partner gone, group closed, removed
// by reports, and the screens of timed rounds (sitting out, a break, the last round
// over). Follows the session's phase; the chat itself is in chat.js, the round
// countdowns in round-clock.js.

import { h, messageBox } from '../dom.js';
import { describeError } from '../errors.js';
import { forgetGroup } from '../storage.js';
import { chatView } from './chat.js';
import { roundClock, roundClocks } from './round-clock.js';

export function renderRoom(app, { code }) {
  const session = app.getSession();
  const el = h('div', { class: 'screen room' });
  let chat = null;
  // The partner of the latest chat, for the note after blocking or reporting them.
  let partnerName = '';
  // Above the chat while a round runs: "Round 2 of 5 — 3:12 left".
  const roundBar = roundClock('round-bar');
  const clocks = roundClocks(el, () => session.rounds);
  // Which lobby screen shows (lobbyKind), so that a change of the series can swap it.
  let lobby = null;

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
    keepMeeting: () => session.keepMeeting(),
  };

  function render(event = {}) {
    const groupName = session.group ? session.group.name : '';
    switch (session.phase) {
      case 'waiting': {
        chat = null;
        const rounds = session.rounds;
        lobby = lobbyKind(rounds);
        if (lobby === 'break') {
          mount(breakView(groupName, actions, rounds));
          document.title = 'Break · The Circle';
        } else if (lobby === 'bye') {
          mount(byeView(groupName, actions, rounds));
          document.title = 'Sitting out this round · The Circle';
        } else {
          mount(waitingView(groupName, actions, rounds, partedNote(event.after, partnerName)));
          document.title = 'Waiting… · The Circle';
        }
        break;
      }
      case 'finished':
        chat = null;
        mount(finishedView(groupName, actions, session.finishedInLobby));
        document.title = 'The last round is over · The Circle';
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
        else mount(waitingView(groupName, actions, null));
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
    showRounds();
  }

  /**
   * The countdowns follow the series: the bar shows while a chat runs in a round, and
   * the lobby's screen changes with the series (an ack can tell a new state).
   */
  function showRounds() {
    const rounds = session.rounds;
    if (session.phase === 'waiting' && lobbyKind(rounds) !== lobby) {
      render();
      return;
    }
    roundBar.hidden = !(rounds && session.phase === 'chatting');
    clocks.update();
  }

  function mount(node, focusTarget) {
    // A dialog of the chat going away (block, report) must not stay modal.
    for (const dialog of el.querySelectorAll('dialog[open]')) dialog.close();
    el.replaceChildren(roundBar, node);
    const target = focusTarget || node.querySelector('h1');
    if (target) target.focus();
  }

  const unsubscribe = session.subscribe((event) => {
    if (event.type === 'phase') render(event);
    else if (event.type === 'rounds') showRounds();
    else if (event.type === 'round_ending' && chat) chat.note(`${event.secondsLeft} seconds left in this round.`);
    else if (event.type === 'rounds_finished' && chat) chat.note('That was the last round. You can go on talking.');
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
      clocks.stop();
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

/** The lobby's screen for the series' state: 'break', 'bye', 'round' or 'none'. */
function lobbyKind(rounds) {
  if (!rounds) return 'none';
  if (rounds.phase === 'break') return 'break';
  return rounds.bye ? 'bye' : 'round';
}

/**
 * A card in the lobby: title, a note (after a block or report), lead, and the round's
 * countdown when `clock` is set.
 */
function lobbyCard({ id, groupName, title, lead, clock, actions, note = null, pulse = true }) {
  return h(
    'section',
    { class: 'card waiting stack', 'aria-labelledby': id },
    pulse ? h('div', { class: 'pulse', 'aria-hidden': 'true' }, h('span'), h('span')) : null,
    groupName ? h('p', { class: 'eyebrow' }, groupName) : null,
    h('h1', { id, tabindex: '-1' }, title),
    note ? h('p', { class: 'notice notice-info', role: 'status', 'data-role': 'parted' }, note) : null,
    clock ? roundClock('round-clock') : null,
    h('p', { class: 'lead' }, lead),
    h('p', { class: 'notice notice-error', role: 'alert', hidden: true, 'data-role': 'room-error' }),
    h('div', { class: 'actions' }, actions),
  );
}

function cancelButton(actions) {
  return h('button', { type: 'button', class: 'button', onclick: actions.leave }, 'Cancel');
}

function waitingView(groupName, actions, rounds, parted = null) {
  return lobbyCard({
    id: 'waiting-title',
    note: parted,
    groupName,
    title: 'Waiting for someone to talk to…',
    lead: ['You will be paired at random with another member of ', h('strong', {}, groupName || 'this group'), ' as soon as someone is free. Keep this page open.'],
    clock: Boolean(rounds),
    actions: cancelButton(actions),
  });
}

/** Between two rounds: everyone waits until the next one pairs them anew. */
function breakView(groupName, actions, rounds) {
  return lobbyCard({
    id: 'break-title',
    groupName,
    title: rounds.of === null ? `Round ${rounds.round} is over` : `Round ${rounds.round} of ${rounds.of} is over`,
    lead: 'When the break is over you will be paired with someone new. Keep this page open.',
    clock: true,
    actions: cancelButton(actions),
  });
}

/** An odd number of members: we sit this round out (a latecomer may still meet us). */
function byeView(groupName, actions, rounds) {
  const last = rounds.of !== null && rounds.round >= rounds.of;
  return lobbyCard({
    id: 'bye-title',
    groupName,
    title: 'You sit out this round',
    lead: `${last ? 'This is the last round: you’ll be paired again once it is over.' : 'You’ll be paired next round.'} If someone joins meanwhile, you may meet them now. Keep this page open.`,
    clock: true,
    actions: cancelButton(actions),
  });
}

/** The series is over: meet people the ordinary way, or go. */
function finishedView(groupName, actions, inLobby) {
  const error = h('p', { class: 'notice notice-error', role: 'alert', hidden: true, 'data-role': 'room-error' });
  const keepButton = h('button', { type: 'button', class: 'button primary' }, 'Keep meeting people');
  keepButton.addEventListener('click', async () => {
    keepButton.disabled = true;
    error.hidden = true;
    try {
      await actions.keepMeeting();
    } catch (err) {
      error.textContent = describeError(err, 'next');
      error.hidden = false;
      keepButton.disabled = false;
    }
  });
  return h(
    'section',
    { class: 'card waiting stack', 'aria-labelledby': 'finished-title' },
    groupName ? h('p', { class: 'eyebrow' }, groupName) : null,
    h('h1', { id: 'finished-title', tabindex: '-1' }, 'That was the last round'),
    h(
      'p',
      { class: 'lead' },
      inLobby
        ? 'Thanks for taking part. You are still in the lobby: keep meeting people, paired at random with whoever is free.'
        : 'Thanks for taking part. You can keep meeting people, paired at random with whoever is free.',
    ),
    error,
    h('div', { class: 'actions' }, keepButton, h('button', { type: 'button', class: 'button subtle', onclick: actions.leave }, 'Leave')),
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
