// "Block" and "Report" in a chat (docs/protocol.md section 7). Each asks first, in a
// small modal dialog; a report also asks why (spam, abuse, other). Either ends the chat
// as if she left: the partner only sees that she left, never a block or a report. She
// then waits for someone new, as after "Next person" (room.js shows that).

import { h, uid } from '../dom.js';
import { describeError } from '../errors.js';

/** The reasons a report may give (the server refuses others with `invalid_reason`). */
const REASONS = [
  { value: 'spam', label: 'Spam', hint: 'Advertising, links, or the same thing over and over.' },
  { value: 'abuse', label: 'Abuse or harassment', hint: 'Insults, threats, or unwanted sexual messages.' },
  { value: 'other', label: 'Something else', hint: 'Anything else that breaks the rules of this group.' },
];

/**
 * The "Block" and "Report" buttons for a chat with `partnerName`, and their dialogs.
 * block() and report(reason) return promises that reject with {code, message}.
 * Returns {el, dialogs}: `el` goes with the chat's actions, `dialogs` anywhere in the chat.
 */
export function safetyControls({ partnerName, block, report }) {
  const blockDialog = confirmDialog({
    event: 'block',
    title: `Block ${partnerName}?`,
    text: `This conversation ends and you will not be paired with ${partnerName} again in this group. ${partnerName} only sees that you left.`,
    confirm: `Block ${partnerName}`,
    busy: 'Blocking…',
    run: () => block(),
  });
  const reportDialog = confirmDialog({
    event: 'report',
    title: `Report ${partnerName}?`,
    text: `This conversation ends and you will not be paired with ${partnerName} again in this group. Someone reported by several members is removed from it. ${partnerName} only sees that you left.`,
    reasons: { legend: `Why are you reporting ${partnerName}?`, options: REASONS },
    confirm: `Report ${partnerName}`,
    busy: 'Reporting…',
    run: (reason) => report(reason),
  });
  const blockButton = h('button', { type: 'button', class: 'button subtle danger-text', 'aria-haspopup': 'dialog' }, 'Block');
  const reportButton = h('button', { type: 'button', class: 'button subtle danger-text', 'aria-haspopup': 'dialog' }, 'Report');
  blockButton.addEventListener('click', () => blockDialog.open(blockButton));
  reportButton.addEventListener('click', () => reportDialog.open(reportButton));
  return {
    el: h('div', { class: 'chat-safety' }, blockButton, reportButton),
    dialogs: [blockDialog.el, reportDialog.el],
  };
}

/**
 * A modal dialog that asks before `run(reason)`: stays open with the error if it fails,
 * and gives focus back to the button that opened it when cancelled.
 */
function confirmDialog({ event, title, text, reasons, confirm, busy, run }) {
  const titleId = uid('dialog-title');
  const textId = uid('dialog-text');
  const picker = reasons ? reasonPicker(reasons) : null;
  const error = h('p', { class: 'notice notice-error', role: 'alert', hidden: true });
  const confirmButton = h('button', { type: 'submit', class: 'button danger' }, confirm);
  const cancelButton = h('button', { type: 'button', class: 'button' }, 'Cancel');
  const form = h(
    'form',
    { class: 'stack-sm', novalidate: true },
    h('h2', { id: titleId }, title),
    h('p', { id: textId }, text),
    picker ? picker.el : null,
    error,
    h('div', { class: 'actions' }, confirmButton, cancelButton),
  );
  const dialog = h('dialog', { class: 'safety-dialog', 'aria-labelledby': titleId, 'aria-describedby': textId }, form);
  let opener = null;

  cancelButton.addEventListener('click', () => dialog.close());
  // Choosing a reason answers "Choose a reason".
  form.addEventListener('change', () => {
    error.hidden = true;
  });
  dialog.addEventListener('close', () => {
    error.hidden = true;
    if (picker) picker.reset();
    if (opener && opener.isConnected) opener.focus();
  });
  // While the server is asked, Escape does not close it: the answer shows here.
  dialog.addEventListener('cancel', (ev) => {
    if (cancelButton.disabled) ev.preventDefault();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    const reason = picker ? picker.value() : undefined;
    if (picker && !reason) {
      fail('Choose a reason for your report.');
      picker.focus();
      return;
    }
    confirmButton.disabled = true;
    cancelButton.disabled = true;
    confirmButton.textContent = busy;
    try {
      await run(reason);
      dialog.close();
    } catch (err) {
      fail(describeError(err, event));
    } finally {
      confirmButton.disabled = false;
      cancelButton.disabled = false;
      confirmButton.textContent = confirm;
    }
  });

  function fail(sentence) {
    error.textContent = sentence;
    error.hidden = false;
  }

  return {
    el: dialog,
    open(button) {
      opener = button;
      dialog.showModal();
      // Start on the question, or on the safe choice: never on the irreversible one.
      if (picker) picker.focus();
      else cancelButton.focus();
    },
  };
}

/** Radio buttons for the reasons, in a fieldset with its legend; nothing chosen at first. */
function reasonPicker({ legend, options }) {
  const name = uid('reason');
  const radios = [];
  const rows = options.map(({ value, label, hint }) => {
    const id = uid('reason-option');
    const hintId = `${id}-hint`;
    const radio = h('input', { type: 'radio', name, id, value, 'aria-describedby': hintId });
    radios.push(radio);
    return h(
      'div',
      { class: 'reason-option' },
      radio,
      h('div', {}, h('label', { for: id }, label), h('p', { class: 'hint', id: hintId }, hint)),
    );
  });
  return {
    el: h('fieldset', { class: 'reason-list' }, h('legend', {}, legend), rows),
    value: () => (radios.find((r) => r.checked) || {}).value,
    focus: () => (radios.find((r) => r.checked) || radios[0]).focus(),
    reset: () => radios.forEach((r) => {
      r.checked = false;
    }),
  };
}
