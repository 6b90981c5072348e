// The countdowns of timed rounds on a member's screens ("Round 2 of 5 — 3:12 left",
// "Break — next round in 0:45"), redrawn every second from the series' `ends_at`.

import { h } from '../dom.js';
import { TICK_MS, countdownText } from '../rounds.js';

/**
 * An empty countdown with the class `className`, filled in by roundClocks(). A timer
 * role: screen readers read it when asked, without announcing every second.
 */
export function roundClock(className) {
  return h('p', { class: className, role: 'timer', 'aria-atomic': 'true', 'data-role': 'round-clock' });
}

/**
 * Keeps every countdown inside `root` showing `state()` (the session's series, or null):
 * update() redraws them now, and every second while a series runs; stop() ends that.
 */
export function roundClocks(root, state) {
  let timer = null;

  function draw() {
    const text = countdownText(state());
    for (const clock of root.querySelectorAll('[data-role="round-clock"]')) {
      if (clock.textContent !== text) clock.textContent = text;
    }
  }

  function update() {
    draw();
    if (state() && timer === null) timer = setInterval(draw, TICK_MS);
    else if (!state()) stop();
  }

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  return { update, stop };
}
