// Create a group: name, description, a list of rules and a list of icebreakers.

import { h, field, messageBox } from '../dom.js';
import { listEditor } from '../list-editor.js';
import { createGroup } from '../api.js';
import { describeError } from '../errors.js';
import { encodeRules } from '../rules.js';
import { rememberOwnedGroup } from '../storage.js';

const MAX_RULES = 20;
// The server's limits on prompts (docs/protocol.md section 7).
const MAX_PROMPTS = 20;
const MAX_PROMPT_CHARS = 200;

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

  const rules = listEditor({ noun: 'rule', max: MAX_RULES, maxlength: 240, placeholder: 'e.g. Be kind and respectful.' });
  const prompts = listEditor({
    noun: 'prompt',
    max: MAX_PROMPTS,
    maxlength: MAX_PROMPT_CHARS,
    placeholder: 'e.g. What are you reading at the moment?',
  });
  const formError = messageBox();
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Create group');
  const cancel = h('button', { type: 'button', class: 'button', onclick: () => app.go('home') }, 'Cancel');

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
      rules.el,
    ),
    h(
      'fieldset',
      { class: 'stack-sm' },
      h('legend', {}, 'Icebreakers'),
      h(
        'p',
        { class: 'hint' },
        `Questions to start a conversation: each new pair sees one of them, picked at random. Optional; up to ${MAX_PROMPTS}, ${MAX_PROMPT_CHARS} characters each.`,
      ),
      prompts.el,
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
    submit.disabled = true;
    submit.textContent = 'Creating…';
    try {
      const created = await createGroup({
        name: nameValue,
        description: descriptionValue,
        rules: encodeRules(rules.values()),
        prompts: prompts.values(),
      });
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
