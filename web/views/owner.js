// "Close this group", shown only where this device holds the owner token.

import { h, messageBox } from '../dom.js';
import { closeGroup } from '../api.js';
import { describeError } from '../errors.js';
import { forgetOwnedGroup, forgetGroup } from '../storage.js';

/** Controls for an owned group {code, name, token}; onClosed() runs once it is closed. */
export function ownerControls(owned, onClosed) {
  const status = messageBox();
  const closeButton = h('button', { type: 'button', class: 'button danger-outline' }, 'Close this group');
  const confirmText = h('p', {}, `Close “${owned.name}” for everyone? Members still waiting are told at once; chats already running may finish. This cannot be undone.`);
  const confirmButton = h('button', { type: 'button', class: 'button danger' }, 'Yes, close it');
  const keepButton = h('button', { type: 'button', class: 'button' }, 'Keep it open');
  const confirmBox = h('div', { class: 'confirm stack-sm', hidden: true }, confirmText, h('div', { class: 'actions' }, confirmButton, keepButton));

  closeButton.addEventListener('click', () => {
    status.clear();
    closeButton.hidden = true;
    confirmBox.hidden = false;
    confirmButton.focus();
  });
  keepButton.addEventListener('click', () => {
    confirmBox.hidden = true;
    closeButton.hidden = false;
    closeButton.focus();
  });
  confirmButton.addEventListener('click', async () => {
    confirmButton.disabled = true;
    keepButton.disabled = true;
    try {
      await closeGroup(owned.code, owned.token);
      finish('The group is closed. Its code no longer works.');
    } catch (err) {
      if (err.code === 'group_not_found') {
        finish('This group no longer exists: it was already closed or has expired.');
      } else {
        status.error(describeError(err));
        confirmButton.disabled = false;
        keepButton.disabled = false;
      }
    }
  });

  function finish(text) {
    forgetOwnedGroup(owned.code);
    forgetGroup(owned.code);
    confirmBox.hidden = true;
    status.info(text);
    onClosed();
  }

  const el = h('div', { class: 'owner-controls stack-sm' }, closeButton, confirmBox, status.el);
  return { el };
}
