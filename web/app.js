// Entry point: picks the screen from the address, swaps screens, and shows the
// connection state. Screens live in views/; the chat session in session.js.
//
// Addresses: "/" (home, create, created) and "/join/{code}" (group intro, then
// waiting and chat). Only those two are served by the server, so the other
// screens live in history.state rather than in their own paths.

import { Session } from './session.js';
import { pruneExpiredOwnedGroups } from './storage.js';
import { renderHome } from './views/home.js';
import { renderCreate } from './views/create.js';
import { renderCreated } from './views/created.js';
import { renderIntro } from './views/intro.js';
import { renderRoom } from './views/room.js';

const SCREENS = {
  home: { render: renderHome, path: () => '/' },
  create: { render: renderCreate, path: () => '/' },
  created: { render: renderCreated, path: () => '/' },
  intro: { render: renderIntro, path: (p) => joinPath(p.code) },
  room: { render: renderRoom, path: (p) => joinPath(p.code) },
};

const view = document.getElementById('view');
const main = document.getElementById('main');
const banner = document.getElementById('connection');
let session = null;
let current = null;

function joinPath(code) {
  return `/join/${encodeURIComponent(code)}`;
}

/** The one session of this tab, created on first use (it opens the socket). */
function getSession() {
  if (!session) {
    session = new Session();
    session.subscribe(onSessionEvent);
  }
  return session;
}

/** Goes to a screen, recording it in the history (push, or replace with {replace: true}). */
function go(screen, params = {}, { replace = false } = {}) {
  const state = { screen, params };
  const url = SCREENS[screen].path(params);
  if (replace) history.replaceState(state, '', url);
  else history.pushState(state, '', url);
  show(screen, params);
}

function show(screen, params) {
  if (current && current.destroy) current.destroy();
  current = SCREENS[screen].render(app, params);
  view.replaceChildren(current.el);
  document.body.dataset.screen = screen;
  // Move focus to the new screen so keyboard and screen-reader users follow along.
  const target = current.focus || current.el.querySelector('h1');
  if (target) {
    if (!target.hasAttribute('tabindex') && !/^(INPUT|TEXTAREA|BUTTON|A)$/.test(target.tagName)) {
      target.setAttribute('tabindex', '-1');
    }
    target.focus({ preventScroll: false });
  } else {
    main.focus();
  }
  window.scrollTo(0, 0);
}

/** The screen for the current address and history entry. */
function showFromLocation() {
  const state = history.state || {};
  const match = /^\/join\/([^/]+)\/?$/.exec(location.pathname);
  if (match) {
    const code = decodeURIComponent(match[1]);
    show('intro', { ...(state.params || {}), code });
  } else if (state.screen === 'create') {
    show('create', {});
  } else if (state.screen === 'created' && state.params && state.params.group) {
    show('created', state.params);
  } else {
    show('home', state.params || {});
  }
}

function onSessionEvent(event) {
  if (event.type === 'connection' || event.type === 'phase') updateBanner();
}

function updateBanner() {
  const status = session ? session.connectionStatus : 'idle';
  const active = session && session.phase !== 'idle';
  if (active && (status === 'reconnecting' || status === 'connecting')) {
    banner.textContent = 'Connection lost. Reconnecting…';
    banner.hidden = false;
  } else {
    banner.hidden = true;
    banner.textContent = '';
  }
}

const app = { go, getSession };

window.addEventListener('popstate', () => {
  // Going back or forward out of a chat leaves it.
  if (session && session.phase !== 'idle') session.leave();
  showFromLocation();
});

// Closing the tab (or navigating away) ends the chat at once for the partner, rather
// than leaving them waiting for a member who is not coming back.
window.addEventListener('pagehide', () => {
  if (session && session.phase !== 'idle') session.leave();
});
// Back from the back/forward cache: that chat is over, so show the address afresh.
window.addEventListener('pageshow', (event) => {
  if (event.persisted) showFromLocation();
});

document.getElementById('home-link').addEventListener('click', (event) => {
  event.preventDefault();
  if (session && session.phase !== 'idle') session.leave();
  go('home');
});

pruneExpiredOwnedGroups();
showFromLocation();
