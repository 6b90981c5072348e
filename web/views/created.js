// The group was created: show its code and invite link, let the owner join or close it.

import { h, uid } from '../dom.js';
import { ownedGroup } from '../storage.js';
import { ownerCounts } from './counts.js';
import { ownerControls } from './owner.js';
import { ownerRounds } from './owner-rounds.js';

export function inviteLink(code) {
  return `${location.origin}/join/${encodeURIComponent(code)}`;
}

/** Copies text, falling back to selecting it where the Clipboard API is unavailable. */
async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input.focus();
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

export function renderCreated(app, { group }) {
  const code = group.access_code;
  const link = inviteLink(code);
  const linkId = uid('invite');
  const linkInput = h('input', { id: linkId, type: 'text', readonly: true, value: link, class: 'invite-input' });
  linkInput.addEventListener('focus', () => linkInput.select());
  const copyStatus = h('p', { class: 'copy-status', role: 'status', 'aria-live': 'polite' });
  const copyButton = h('button', { type: 'button', class: 'button' }, 'Copy link');
  copyButton.addEventListener('click', async () => {
    const ok = await copyText(link, linkInput);
    copyStatus.textContent = ok ? 'Copied.' : 'Select the link and copy it.';
  });

  const joinButton = h('button', { type: 'button', class: 'button primary' }, 'Join now');
  joinButton.addEventListener('click', () => app.go('intro', { code, group }));

  const owned = ownedGroup(code);
  const counts = owned ? ownerCounts(owned) : null;
  const rounds = owned ? ownerRounds(owned) : null;
  const owner = owned
    ? ownerControls(owned, () => {
        counts.stop();
        rounds.stop();
        rounds.el.hidden = true;
        joinButton.disabled = true;
        copyButton.disabled = true;
      })
    : null;

  const el = h(
    'div',
    { class: 'screen created' },
    h('h1', {}, 'Your group is ready'),
    h('p', { class: 'lead' }, 'Share the code or the invite link with the people you want in “', group.name, '”. Anyone who has it can join.'),
    h(
      'section',
      { class: 'card stack', 'aria-labelledby': 'code-label' },
      h('h2', { id: 'code-label', class: 'eyebrow' }, 'Access code'),
      h('p', { class: 'code-display', 'data-testid': 'access-code' }, code),
      h('div', { class: 'field' }, h('label', { for: linkId }, 'Invite link'), h('div', { class: 'copy-row' }, linkInput, copyButton), copyStatus),
      h('div', { class: 'actions' }, joinButton),
    ),
    owner
      ? h(
          'section',
          { class: 'card stack-sm', 'aria-labelledby': 'owner-title' },
          h('h2', { id: 'owner-title' }, 'Owner'),
          h('p', { class: 'hint' }, 'This device keeps the key that lets you see the counts, run timed rounds and close the group. Closing it is possible from the home page too.'),
          counts.el,
          rounds.el,
          owner.el,
        )
      : null,
  );
  return {
    el,
    destroy: () => {
      if (counts) counts.stop();
      if (rounds) rounds.stop();
    },
  };
}
