// Group intro (/join/{code}): what the group is, its rules, and "Join the circle".

import { h, field, messageBox } from '../dom.js';
import { getGroup } from '../api.js';
import { describeError } from '../errors.js';
import { decodeRules } from '../rules.js';
import { forgetGroup, ownedGroup, rememberGroup } from '../storage.js';
import { ownerCounts } from './counts.js';
import { ownerControls } from './owner.js';
import { ownerRounds } from './owner-rounds.js';

export function renderIntro(app, params) {
  const code = params.code;
  const el = h('div', { class: 'screen intro' });
  let alive = true;
  let counts = null;
  let rounds = null;

  if (params.group) {
    showGroup(params.group);
  } else {
    el.append(h('h1', { class: 'visually-hidden' }, 'Group'), h('p', { class: 'loading', role: 'status' }, 'Looking up the group…'));
    getGroup(code).then(
      (group) => alive && showGroup(group),
      (err) => alive && showError(err),
    );
  }

  function showError(err) {
    if (err.code === 'group_not_found') forgetGroup(code);
    const heading = h('h1', { tabindex: '-1' }, err.code === 'group_not_found' ? 'Group not found' : 'Could not open this group');
    el.replaceChildren(
      heading,
      h('p', { class: 'notice notice-error', role: 'alert' }, describeError(err)),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button', onclick: () => app.go('home') }, 'Back to home')),
    );
    heading.focus();
  }

  function showGroup(group) {
    const name = field({
      label: 'Your display name',
      hint: 'How your partner will see you. 1 to 40 characters; leave empty to be “Anonymous”.',
      name: 'display-name',
      autocomplete: 'nickname',
      maxlength: 40,
      value: params.name || '',
    });
    const formError = messageBox();
    const submit = h('button', { type: 'submit', class: 'button primary' }, 'Join the circle');
    const form = h('form', { class: 'card stack', novalidate: true }, name.wrap, formError.el, h('div', { class: 'actions' }, submit));

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      formError.clear();
      name.input.removeAttribute('aria-invalid');
      submit.disabled = true;
      submit.textContent = 'Joining…';
      const displayName = name.input.value.trim();
      try {
        const joined = await app.getSession().join(group.access_code || code, displayName);
        rememberGroup(joined.access_code || code, joined.name || group.name);
        app.go('room', { code: joined.access_code || code }, { replace: true });
      } catch (err) {
        if (!alive) return;
        if (err.code && err.code.startsWith('invalid_')) {
          name.input.setAttribute('aria-invalid', 'true');
          name.input.focus();
        }
        if (err.code === 'group_not_found' || err.code === 'removed') forgetGroup(code);
        formError.error(describeError(err));
        submit.disabled = false;
        submit.textContent = 'Join the circle';
      }
    });

    const heading = h('h1', { tabindex: '-1' }, group.name);
    const owned = ownedGroup(group.access_code || code);
    if (owned) {
      counts = ownerCounts(owned);
      rounds = ownerRounds(owned);
    }
    const parts = [
      h('p', { class: 'eyebrow' }, 'You are invited to'),
      heading,
      h('p', { class: 'lead preserve' }, group.description),
      rulesSection(group.rules),
      expiryNote(group.expires_at),
      form,
      owned
        ? h('section', { class: 'card stack-sm', 'aria-label': 'Owner' }, h('h2', {}, 'You created this group'), counts.el, rounds.el, ownerControls(owned, () => {
            counts.stop();
            rounds.stop();
            rounds.el.hidden = true;
            submit.disabled = true;
          }).el)
        : null,
    ];
    el.replaceChildren(...parts.filter(Boolean));
    if (!params.group) heading.focus();
  }

  return {
    el,
    destroy: () => {
      alive = false;
      if (counts) counts.stop();
      if (rounds) rounds.stop();
    },
  };
}

function rulesSection(rules) {
  const decoded = decodeRules(rules);
  if (!decoded.list && !decoded.raw) return null;
  return h(
    'section',
    { class: 'rules card stack-sm', 'aria-labelledby': 'rules-title' },
    h('h2', { id: 'rules-title' }, 'Rules of this group'),
    decoded.list ? h('ol', { class: 'rules-list' }, decoded.list.map((r) => h('li', {}, r))) : h('p', { class: 'preserve' }, decoded.raw),
  );
}

function expiryNote(expiresAt) {
  const date = new Date(expiresAt);
  if (Number.isNaN(date.getTime())) return null;
  const text = date.toLocaleString([], { weekday: 'long', hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'long' });
  return h('p', { class: 'hint' }, `This group is open until ${text}.`);
}
