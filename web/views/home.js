// Home: join with a code, the groups used lately on this device, and a way
// to create a group.

import { h, field, messageBox } from '../dom.js';
import { getGroup } from '../api.js';
import { describeError } from '../errors.js';
import { recentGroups, ownedGroups, forgetGroup } from '../storage.js';
import { ownerControls } from './owner.js';

/** Codes are typed by people: ignore spaces and case, accept a pasted invite link. */
export function normalizeCode(input) {
  const text = input.trim();
  const link = /\/join\/([^/?#\s]+)/.exec(text);
  const code = link ? decodeURIComponent(link[1]) : text;
  return code.replace(/\s+/g, '').toLowerCase();
}

export function renderHome(app, params = {}) {
  const notice = messageBox();
  if (params.notice) notice.info(params.notice);

  const code = field({
    label: 'Group code',
    hint: 'The code or invite link someone shared with you.',
    name: 'code',
    autocomplete: 'off',
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
    maxlength: 200,
  });
  const name = field({
    label: 'Your display name',
    hint: 'How your partner will see you. 1 to 40 characters.',
    name: 'display-name',
    autocomplete: 'nickname',
    maxlength: 40,
  });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Continue');
  const formError = messageBox();

  const form = h(
    'form',
    { class: 'card stack', 'aria-labelledby': 'join-title', novalidate: true },
    h('h2', { id: 'join-title' }, 'Join a group'),
    code.wrap,
    name.wrap,
    formError.el,
    h('div', { class: 'actions' }, submit),
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.clear();
    const accessCode = normalizeCode(code.input.value);
    if (!accessCode) {
      formError.error('Enter the group code you were given.');
      code.input.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Looking up…';
    try {
      const group = await getGroup(accessCode);
      app.go('intro', { code: group.access_code || accessCode, group, name: name.input.value });
    } catch (err) {
      if (err.code === 'group_not_found') forgetGroup(accessCode);
      formError.error(describeError(err));
      code.input.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Continue';
    }
  });

  const el = h(
    'div',
    { class: 'screen home' },
    h(
      'section',
      { class: 'intro-copy' },
      h('h1', {}, 'Meet someone from your circle'),
      h(
        'p',
        { class: 'lead' },
        'The Circle pairs you at random with another member of your group for a private, one-on-one conversation. Nothing you write is stored.',
      ),
    ),
    notice.el,
    form,
    recentSection(app),
    createSection(app),
    ownedSection(),
  );
  return { el };
}

function recentSection(app) {
  const recent = recentGroups();
  if (recent.length === 0) return null;
  return h(
    'section',
    { class: 'card stack', 'aria-labelledby': 'recent-title' },
    h('h2', { id: 'recent-title' }, 'Recently used on this device'),
    h(
      'ul',
      { class: 'link-list' },
      recent.map((g) =>
        h(
          'li',
          {},
          h(
            'a',
            {
              href: `/join/${encodeURIComponent(g.code)}`,
              onclick: (event) => {
                event.preventDefault();
                app.go('intro', { code: g.code });
              },
            },
            h('span', { class: 'link-title' }, g.name),
            h('span', { class: 'code-inline' }, g.code),
          ),
        ),
      ),
    ),
  );
}

function createSection(app) {
  return h(
    'section',
    { class: 'card stack', 'aria-labelledby': 'create-title' },
    h('h2', { id: 'create-title' }, 'Start a group'),
    h('p', {}, 'Create a closed group, share its code, and its members can meet each other one on one. Groups close by themselves after three days.'),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button', onclick: () => app.go('create') }, 'Create a group')),
  );
}

function ownedSection() {
  const owned = ownedGroups();
  if (owned.length === 0) return null;
  return h(
    'section',
    { class: 'card stack', 'aria-labelledby': 'owned-title' },
    h('h2', { id: 'owned-title' }, 'Groups you created'),
    h(
      'ul',
      { class: 'owned-list' },
      owned.map((g) => {
        const item = h(
          'li',
          { class: 'stack-sm' },
          h('div', {}, h('span', { class: 'link-title' }, g.name), ' ', h('span', { class: 'code-inline' }, g.code)),
        );
        item.append(ownerControls(g, () => {}).el);
        return item;
      }),
    ),
  );
}
