// An editable list of short texts (the create form's rules and prompts): one input per
// row, "Remove" on each, "+ Add" below, and the limits shown as the list grows.

import { h, uid } from './dom.js';

/**
 * listEditor({noun: 'rule', max: 20, maxlength: 240, placeholder}) ->
 * {el, values()}: `el` holds the list and its add button; values() the trimmed,
 * non-empty texts in order.
 */
export function listEditor({ noun, max, maxlength, placeholder = '' }) {
  const Noun = noun[0].toUpperCase() + noun.slice(1);
  const list = h('ol', { class: 'list-edit', 'aria-label': `${Noun}s` });
  const addButton = h('button', { type: 'button', class: 'button subtle' }, `+ Add a ${noun}`);
  const count = h('span', { class: 'hint list-count', 'aria-live': 'polite' });

  function renumber() {
    [...list.children].forEach((li, i) => {
      li.querySelector('label').textContent = `${Noun} ${i + 1}`;
      li.querySelector('button').setAttribute('aria-label', `Remove ${noun} ${i + 1}`);
    });
    const rows = list.children.length;
    addButton.disabled = rows >= max;
    count.textContent = rows >= max ? `${rows} of ${max}: the most a group can have` : `${rows} of ${max}`;
  }

  function addRow(hint = '') {
    const id = uid(noun);
    const input = h('input', { id, type: 'text', placeholder: hint || null, maxlength, autocomplete: 'off' });
    const remove = h('button', { type: 'button', class: 'button subtle icon-button' }, 'Remove');
    const li = h('li', { class: 'list-row' }, h('label', { for: id, class: 'visually-hidden' }, Noun), input, remove);
    remove.addEventListener('click', () => {
      const next = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      renumber();
      (next ? next.querySelector('input') : addButton).focus();
    });
    input.addEventListener('keydown', (event) => {
      // Enter in a row adds the next one instead of submitting half a form.
      if (event.key === 'Enter') {
        event.preventDefault();
        if (list.children.length < max) addRow().focus();
      }
    });
    list.append(li);
    renumber();
    return input;
  }

  addButton.addEventListener('click', () => addRow().focus());
  addRow(placeholder);

  return {
    el: [list, h('div', { class: 'list-add' }, addButton, count)],
    values: () => [...list.querySelectorAll('input')].map((i) => i.value.trim()).filter((v) => v.length > 0),
  };
}
