// Create a group: name, description and a list of rules.

import { h, field, messageBox, uid } from '../dom.js';
import { createGroup } from '../api.js';
import { describeError } from '../errors.js';
import { encodeRules } from '../rules.js';
import { rememberOwnedGroup } from '../storage.js';

const MAX_RULES = 20;

export function renderCreate(app) {
  const name = field({ label: 'Group name', name: 'group-name', required: true, maxlength: 100, autocomplete: 'off' });
  const description = field({
    label: 'Description',
    hint: 'What the group is about, in a sentence or two. Up to 500 characters.',
    name: 'description',
    multiline: true,
    rows: 3,
    required: true,
    maxlength: 500,
  });

  const rulesList = h('ol', { class: 'rules-edit', 'aria-label': 'Rules' });
  const addRule = h('button', { type: 'button', class: 'button subtle' }, '+ Add a rule');
  const formError = messageBox();
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Create group');
  const cancel = h('button', { type: 'button', class: 'button', onclick: () => app.go('home') }, 'Cancel');

  function renumber() {
    [...rulesList.children].forEach((li, i) => {
      li.querySelector('label').textContent = `Rule ${i + 1}`;
      li.querySelector('button').setAttribute('aria-label', `Remove rule ${i + 1}`);
    });
    addRule.disabled = rulesList.children.length >= MAX_RULES;
  }

  function addRuleRow(placeholder = '') {
    const id = uid('rule');
    const input = h('input', { id, type: 'text', placeholder: placeholder || null, maxlength: 240, autocomplete: 'off' });
    const remove = h('button', { type: 'button', class: 'button subtle icon-button' }, 'Remove');
    const li = h('li', { class: 'rule-row' }, h('label', { for: id, class: 'visually-hidden' }, 'Rule'), input, remove);
    remove.addEventListener('click', () => {
      const next = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      renumber();
      (next ? next.querySelector('input') : addRule).focus();
    });
    input.addEventListener('keydown', (event) => {
      // Enter in a rule adds the next one instead of submitting half a form.
      if (event.key === 'Enter') {
        event.preventDefault();
        if (rulesList.children.length < MAX_RULES) addRuleRow().focus();
      }
    });
    rulesList.append(li);
    renumber();
    return input;
  }

  addRule.addEventListener('click', () => addRuleRow().focus());
  addRuleRow('e.g. Be kind and respectful.');

  const form = h(
    'form',
    { class: 'card stack', novalidate: true },
    name.wrap,
    description.wrap,
    h(
      'fieldset',
      { class: 'stack-sm' },
      h('legend', {}, 'Rules'),
      h('p', { class: 'hint' }, 'Shown to every member before they join. Optional.'),
      rulesList,
      h('div', {}, addRule),
    ),
    formError.el,
    h('div', { class: 'actions' }, submit, cancel),
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.clear();
    const nameValue = name.input.value.trim();
    const descriptionValue = description.input.value.trim();
    if (!nameValue) {
      formError.error('Give the group a name.');
      name.input.focus();
      return;
    }
    if (!descriptionValue) {
      formError.error('Add a short description so members know what the group is for.');
      description.input.focus();
      return;
    }
    const rules = encodeRules([...rulesList.querySelectorAll('input')].map((i) => i.value));
    submit.disabled = true;
    submit.textContent = 'Creating…';
    try {
      const created = await createGroup({ name: nameValue, description: descriptionValue, rules });
      rememberOwnedGroup({
        code: created.access_code,
        name: created.name,
        token: created.owner_token,
        expires_at: created.expires_at,
      });
      const { owner_token: _token, ...group } = created;
      app.go('created', { group }, { replace: true });
    } catch (err) {
      formError.error(describeError(err));
      submit.disabled = false;
      submit.textContent = 'Create group';
    }
  });

  const el = h(
    'div',
    { class: 'screen create' },
    h('h1', {}, 'Create a group'),
    h('p', { class: 'lead' }, 'Members join with the code you get next. The group closes by itself after three days, or whenever you close it.'),
    form,
  );
  return { el };
}
