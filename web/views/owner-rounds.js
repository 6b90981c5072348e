// The owner's timed rounds (docs/protocol.md section 8): round length, break length and
// number of rounds, Start and Stop, and the series' state, read now and every 5 s while
// the tab is visible (its countdown redrawn every second in between).

import { h, field, messageBox } from '../dom.js';
import { getRounds, startRounds, stopRounds } from '../api.js';
import { describeError } from '../errors.js';
import { BREAK_SECONDS, ROUNDS, ROUND_SECONDS, TICK_MS, countdownText, seriesState } from '../rounds.js';

/** How long after one reading of the state the next one starts (at most this often). */
const REFRESH_MS = 5000;

/** What the form starts with: 5-minute rounds, 30 s breaks, 5 rounds. */
const DEFAULTS = { length: 5, unit: 'minutes', breakSeconds: 30, rounds: 5 };

/**
 * Controls for an owned group {code, token}; stop() ends the readings (the screen calls
 * it when it goes, or the group closes).
 */
export function ownerRounds(owned) {
  const status = messageBox();
  const form = roundsForm();
  const stateLine = h('p', { class: 'round-state', role: 'timer', 'aria-atomic': 'true', 'data-role': 'rounds-state' }, 'No rounds running.');
  const startButton = h('button', { type: 'submit', class: 'button primary' }, 'Start rounds');
  const stopButton = h('button', { type: 'button', class: 'button' }, 'Stop rounds');
  let state = null;
  let readTimer = null;
  let tickTimer = null;
  let stopped = false;

  function show(next) {
    state = next;
    drawState();
    if (state && state.phase !== 'finished' && tickTimer === null) tickTimer = setInterval(drawState, TICK_MS);
    if ((!state || state.phase === 'finished') && tickTimer !== null) {
      clearInterval(tickTimer);
      tickTimer = null;
    }
  }

  function drawState() {
    let text = 'No rounds running.';
    if (state && state.phase === 'finished') text = state.of === 1 ? 'The round is over.' : `All ${state.of} rounds are over.`;
    // Long past its end, the next reading brings the next step: the round alone till then.
    else if (state) text = countdownText(state) || countdownText({ ...state, endsAt: null });
    if (stateLine.textContent !== text) stateLine.textContent = text;
  }

  async function read() {
    readTimer = null;
    if (!document.hidden) {
      try {
        const raw = await getRounds(owned.code, owned.token);
        if (stopped) return;
        show(seriesState(raw));
      } catch (err) {
        if (stopped) return;
        if (err.code === 'no_rounds') show(null);
        else if (err.status === 404 || err.status === 403) {
          stateLine.textContent = 'The rounds are no longer available.';
          stop();
          return;
        }
      }
    }
    if (!stopped) readTimer = setTimeout(read, REFRESH_MS);
  }

  form.el.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.clear();
    const settings = form.settings();
    if (settings.error) {
      status.error(settings.error);
      settings.field.focus();
      return;
    }
    startButton.disabled = true;
    try {
      show(seriesState(await startRounds(owned.code, owned.token, settings.value)));
      status.info(`Round 1 of ${settings.value.rounds} has started: everyone present is paired now.`);
    } catch (err) {
      form.markInvalid(err.code);
      status.error(describeError(err));
    } finally {
      startButton.disabled = false;
    }
  });

  stopButton.addEventListener('click', async () => {
    status.clear();
    stopButton.disabled = true;
    try {
      await stopRounds(owned.code, owned.token);
      show(null);
      status.info('The rounds are stopped. Chats that run go on; pairing is as usual again.');
    } catch (err) {
      if (err.code === 'no_rounds') show(null);
      status.error(describeError(err));
    } finally {
      stopButton.disabled = false;
    }
  });

  function stop() {
    stopped = true;
    if (readTimer) clearTimeout(readTimer);
    if (tickTimer !== null) clearInterval(tickTimer);
    readTimer = null;
    tickTimer = null;
  }

  form.el.append(status.el, h('div', { class: 'actions' }, startButton, stopButton));
  read();
  const el = h(
    'div',
    { class: 'owner-rounds stack-sm' },
    h('h3', {}, 'Timed rounds'),
    h('p', { class: 'hint' }, 'Everyone present is paired anew each round; between rounds they wait for the next one.'),
    stateLine,
    form.el,
  );
  return { el, stop };
}

/** The settings form: {el, settings(), markInvalid(code)}; settings() checks the limits. */
function roundsForm() {
  const length = field({
    label: 'Round length',
    type: 'number',
    inputmode: 'numeric',
    min: 1,
    step: 1,
    value: DEFAULTS.length,
  });
  const unit = h(
    'select',
    { 'aria-label': 'Round length unit' },
    h('option', { value: 'seconds', selected: DEFAULTS.unit === 'seconds' }, 'seconds'),
    h('option', { value: 'minutes', selected: DEFAULTS.unit === 'minutes' }, 'minutes'),
  );
  // The number and its unit side by side, under the one label.
  const lengthRow = h('div', { class: 'unit-row' });
  length.input.replaceWith(lengthRow);
  lengthRow.append(length.input, unit);

  const pause = field({ label: 'Break (seconds)', type: 'number', inputmode: 'numeric', min: BREAK_SECONDS.min, max: BREAK_SECONDS.max, step: 1, value: DEFAULTS.breakSeconds });
  const count = field({ label: 'Number of rounds', type: 'number', inputmode: 'numeric', min: ROUNDS.min, max: ROUNDS.max, step: 1, value: DEFAULTS.rounds });
  const el = h('form', { class: 'rounds-form stack-sm', novalidate: true, 'aria-label': 'Timed rounds' }, h('div', { class: 'rounds-fields' }, length.wrap, pause.wrap, count.wrap));
  const inputs = { invalid_round_seconds: length.input, invalid_break_seconds: pause.input, invalid_rounds: count.input };

  function markInvalid(code) {
    for (const [key, input] of Object.entries(inputs)) {
      if (key === code) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }

  /** {value: {round_seconds, break_seconds, rounds}} or {error, field}, checked here first. */
  function settings() {
    const factor = unit.value === 'minutes' ? 60 : 1;
    const value = {
      round_seconds: wholeNumber(length.input.value, factor),
      break_seconds: wholeNumber(pause.input.value, 1),
      rounds: wholeNumber(count.input.value, 1),
    };
    const checks = [
      ['invalid_round_seconds', value.round_seconds, ROUND_SECONDS],
      ['invalid_break_seconds', value.break_seconds, BREAK_SECONDS],
      ['invalid_rounds', value.rounds, ROUNDS],
    ];
    for (const [code, number, range] of checks) {
      if (number === null || number < range.min || number > range.max) {
        markInvalid(code);
        return { error: describeError({ code }), field: inputs[code] };
      }
    }
    markInvalid(null);
    return { value };
  }

  return { el, settings, markInvalid };
}

/** `text` as a number times `factor`, or null unless that is a whole number. */
function wholeNumber(text, factor) {
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text)) return null;
  const number = Number(text) * factor;
  return Number.isSafeInteger(number) ? number : null;
}
