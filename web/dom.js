// Builds DOM nodes. Text always goes in through text nodes, never as HTML,
// so whatever a member types is shown literally.

/**
 * h('button', {class: 'primary', onclick: fn}, 'Send') -> <button>
 * Attributes starting with "on" become listeners; `false`/`null` attributes are skipped;
 * children may be strings, nodes, arrays, or null.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A unique id for label/field pairs. */
let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A labelled form field: {wrap, input}. */
export function field({ label, hint, multiline = false, ...attrs }) {
  const id = uid('f');
  const hintId = hint ? `${id}-hint` : null;
  const input = h(multiline ? 'textarea' : 'input', {
    id,
    'aria-describedby': hintId,
    ...(multiline ? {} : { type: 'text' }),
    ...attrs,
  });
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    input,
  );
  return { wrap, input };
}

/** A message area that can show an error or a notice; role=alert reads it out. */
export function messageBox() {
  const el = h('div', { class: 'notice', role: 'alert', hidden: true });
  return {
    el,
    error(text) {
      el.className = 'notice notice-error';
      el.textContent = text;
      el.hidden = false;
    },
    info(text) {
      el.className = 'notice notice-info';
      el.textContent = text;
      el.hidden = false;
    },
    clear() {
      el.hidden = true;
      el.textContent = '';
    },
  };
}

/** Formats an ISO time as a short local time ("14:05"); falls back to now. */
export function shortTime(iso) {
  const date = new Date(iso);
  const valid = !Number.isNaN(date.getTime());
  return {
    text: (valid ? date : new Date()).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' }),
    iso: (valid ? date : new Date()).toISOString(),
  };
}
