// Timed rounds through the web client (docs/protocol.md section 8): the owner sets a
// series up on her page (limits checked, a second start refused while one runs) and
// follows its state; two members chat in each round under a countdown, wait through the
// break under its own countdown, a latecomer waits under the round's countdown, and all
// land on "That was the last round", from where they keep meeting people; with three
// members one sits a round out. Screenshots of the
// owner's controls, the countdown and the break at 375 and 1280 px go to
// tests/browser/screenshots/.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ensureScreenshotDir, screenshotBothWidths, suiteWithMembers } from './harness.js';
import { createGroup, joinViaLink, waitForChatWith, waitUntilWaiting } from './flows.js';

const ROUND_SECONDS = 10;
const BREAK_SECONDS = 3;
/** A whole round and a little: long enough for the next phase to come. */
const NEXT_PHASE = { timeout: (ROUND_SECONDS + 5) * 1000 };

/** The seconds a countdown line shows ("… 0:07 left" -> 7). */
function secondsShown(text) {
  const match = /(\d+):(\d\d)/.exec(text);
  assert.ok(match, `a countdown in "${text}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The member's countdown, once it reads `pattern`. */
async function countdown(page, pattern, options = {}) {
  const clock = page.getByRole('timer').filter({ hasText: pattern });
  await clock.waitFor(options);
  return clock;
}

/** Fills the owner's round settings. */
async function fillRounds(page, { length, unit, breakSeconds, rounds }) {
  await page.getByLabel('Round length', { exact: true }).fill(String(length));
  await page.getByLabel('Round length unit').selectOption(unit);
  await page.getByLabel('Break (seconds)').fill(String(breakSeconds));
  await page.getByLabel('Number of rounds').fill(String(rounds));
}

describe('Timed rounds in the web client', () => {
  const suite = suiteWithMembers({
    owner: { width: 1280, height: 800 },
    alice: { width: 375, height: 740 },
    bob: { width: 1280, height: 800 },
    carol: { width: 375, height: 740 },
  });
  const { members } = suite;

  test('two members chat through a 2-round series under its countdowns with a break between, a latecomer waits under it, and the last round ends it', async () => {
    const owner = members.owner.page;
    const alice = members.alice.page;
    const bob = members.bob.page;
    const carol = members.carol.page;
    const readings = [];
    owner.on('request', (request) => {
      if (request.method() === 'GET' && new URL(request.url()).pathname.endsWith('/rounds')) readings.push(Date.now());
    });
    const group = await createGroup(owner, { name: 'Speed meeting', description: 'Ten seconds each.' });
    await owner.getByText('No rounds running.').waitFor();

    // Members chatting before the series are paired anew when it starts.
    await joinViaLink(alice, group.inviteLink, 'Alice');
    await waitUntilWaiting(alice);
    await joinViaLink(bob, group.inviteLink, 'Bob');
    await waitForChatWith(alice, 'Bob');
    assert.equal(await alice.getByRole('timer').isVisible(), false, 'no countdown without a series');

    // A round too short is refused on the page, with the field marked.
    await fillRounds(owner, { length: 5, unit: 'seconds', breakSeconds: BREAK_SECONDS, rounds: 2 });
    await owner.getByRole('button', { name: 'Start rounds' }).click();
    await owner.getByText('A round must last from 10 seconds to 60 minutes').waitFor();
    assert.equal(await owner.getByLabel('Round length', { exact: true }).getAttribute('aria-invalid'), 'true');

    await fillRounds(owner, { length: ROUND_SECONDS, unit: 'seconds', breakSeconds: BREAK_SECONDS, rounds: 2 });
    await owner.getByRole('button', { name: 'Start rounds' }).click();
    await owner.getByText('Round 1 of 2 has started').waitFor();
    await countdown(owner, /^Round 1 of 2 — 0:\d\d left$/);
    await screenshotBothWidths(owner, 'owner-rounds');
    assert.equal(await owner.getByLabel('Round length', { exact: true }).getAttribute('aria-invalid'), null);

    // Round 1: a new chat under the countdown, which goes down every second.
    for (const [page, partner] of [[alice, 'Bob'], [bob, 'Alice']]) {
      const clock = await countdown(page, /^Round 1 of 2 — 0:\d\d left$/);
      await waitForChatWith(page, partner);
      assert.ok(secondsShown(await clock.textContent()) <= ROUND_SECONDS, 'counted from ends_at');
    }
    const aliceClock = await countdown(alice, /^Round 1 of 2/);
    const first = secondsShown(await aliceClock.textContent());
    await countdown(alice, new RegExp(`^Round 1 of 2 — 0:0${first - 2} left$`));
    await screenshotBothWidths(alice, 'round-countdown');
    for (const page of [alice, bob]) {
      assert.equal(await page.getByText(/left the conversation|moved on/).count(), 0, 'a round change is not a partner leaving');
    }

    // A second start while the series runs is refused with a clear message.
    await owner.getByRole('button', { name: 'Start rounds' }).click();
    await owner.getByText('A series of rounds is already running in this group').waitFor();

    // The break: no chat, its own countdown, then round 2 pairs them again.
    await alice.getByRole('heading', { name: 'Round 1 of 2 is over' }).waitFor(NEXT_PHASE);
    await countdown(alice, /^Break — next round in 0:0[0-3]$/);
    await screenshotBothWidths(alice, 'round-break');
    await bob.getByRole('heading', { name: 'Round 1 of 2 is over' }).waitFor();
    await countdown(bob, /^Break — next round in 0:0[0-3]$/);
    for (const page of [alice, bob]) {
      assert.equal(await page.getByText(/left the conversation|moved on/).count(), 0, 'the break is not a partner leaving');
    }
    await countdown(alice, /^Round 2 of 2 — 0:\d\d left$/, NEXT_PHASE);
    await waitForChatWith(alice, 'Bob');
    await waitForChatWith(bob, 'Alice');
    await countdown(bob, /^Round 2 of 2 — 0:\d\d left$/);

    // A latecomer waits mid-round, and her join's ack gives her the round's countdown.
    await joinViaLink(carol, group.inviteLink, 'Carol');
    await waitUntilWaiting(carol);
    await countdown(carol, /^Round 2 of 2 — 0:\d\d left$/);

    // After the last round: its own screen, for the pair (in no lobby) and the latecomer
    // (still waiting), and back to meeting people from there.
    for (const page of [alice, bob, carol]) {
      await page.getByRole('heading', { name: 'That was the last round' }).waitFor(NEXT_PHASE);
      assert.equal(await page.getByRole('timer').isVisible(), false, 'no countdown once it is over');
    }
    await carol.getByText('You are still in the lobby').waitFor();
    await alice.screenshot({ path: path.join(await ensureScreenshotDir(), 'rounds-finished-375.png'), fullPage: true });
    await alice.getByRole('button', { name: 'Keep meeting people' }).click();
    await waitForChatWith(alice, 'Carol');
    await waitForChatWith(carol, 'Alice');
    // Alice was his most recent partner: Bob waits for someone else (section 3).
    await bob.getByRole('button', { name: 'Keep meeting people' }).click();
    await waitUntilWaiting(bob);

    // The owner's page reads the state again (at most every 5 s) and sees it over.
    await owner.getByText('All 2 rounds are over.').waitFor({ timeout: 8000 });
    const gaps = readings.slice(1).map((at, i) => at - readings[i]);
    assert.ok(readings.length >= 3 && gaps.every((gap) => gap >= 4500), `at most one reading every 5 s: ${gaps}`);

    for (const member of Object.values(members)) {
      assert.deepEqual(member.problems, { pageErrors: [], dialogs: [] });
    }
  });
});

describe('Sitting a round out, and stopping a series, in the web client', () => {
  const suite = suiteWithMembers({
    owner: { width: 1280, height: 800 },
    alice: { width: 375, height: 740 },
    bob: { width: 1280, height: 800 },
    carol: { width: 375, height: 740 },
  });
  const { members } = suite;

  test('with three members one sits out under the round count, then the last round is over for all three', async () => {
    const owner = members.owner.page;
    const group = await createGroup(owner, { name: 'Odd one out', description: 'Three of us.' });
    const pages = { Alice: members.alice.page, Bob: members.bob.page, Carol: members.carol.page };
    for (const [name, page] of Object.entries(pages)) await joinViaLink(page, group.inviteLink, name);

    await fillRounds(owner, { length: ROUND_SECONDS, unit: 'seconds', breakSeconds: 0, rounds: 1 });
    await owner.getByRole('button', { name: 'Start rounds' }).click();
    await owner.getByText('Round 1 of 1 has started').waitFor();

    // Each member is either in a round's chat or sits it out: exactly one sits out.
    const sitting = [];
    for (const [name, page] of Object.entries(pages)) {
      await countdown(page, /^Round 1( of 1)?/);
      if (await page.getByRole('heading', { name: 'You sit out this round' }).isVisible()) {
        await page.getByText(/[Yy]ou’ll be paired (next round|again once it is over)/).waitFor();
        sitting.push(name);
      } else {
        await countdown(page, /^Round 1 of 1 — 0:\d\d left$/);
      }
    }
    assert.equal(sitting.length, 1, `one of three sits out: ${sitting}`);
    const [paired1, paired2] = Object.keys(pages).filter((name) => name !== sitting[0]);
    await waitForChatWith(pages[paired1], paired2);
    await waitForChatWith(pages[paired2], paired1);
    await pages[sitting[0]].screenshot({ path: path.join(await ensureScreenshotDir(), 'round-bye-375.png'), fullPage: true });

    // The series is over for the pair (no lobby) and for the one who waited (still waiting).
    for (const page of Object.values(pages)) {
      await page.getByRole('heading', { name: 'That was the last round' }).waitFor(NEXT_PHASE);
    }
    await pages[sitting[0]].getByText('You are still in the lobby').waitFor();
    await pages[sitting[0]].getByRole('button', { name: 'Keep meeting people' }).click();
    await waitUntilWaiting(pages[sitting[0]]);

    for (const member of Object.values(members)) {
      assert.deepEqual(member.problems, { pageErrors: [], dialogs: [] });
    }
  });

  test('the owner starts a series in minutes with the defaults and stops it', async () => {
    const owner = members.owner.page;
    await owner.locator('#home-link').click();
    await createGroup(owner, { name: 'Long rounds', description: 'Five minutes each.' });
    await owner.getByRole('button', { name: 'Start rounds' }).click();
    await owner.getByText('Round 1 of 5 has started').waitFor();
    await countdown(owner, /^Round 1 of 5 — (5:00|4:5\d) left$/);

    await owner.getByRole('button', { name: 'Stop rounds' }).click();
    await owner.getByText('The rounds are stopped').waitFor();
    await owner.getByText('No rounds running.').waitFor();
    await owner.getByRole('button', { name: 'Stop rounds' }).click();
    await owner.getByText('No rounds are running in this group.').waitFor();
    assert.deepEqual(members.owner.problems, { pageErrors: [], dialogs: [] });
  });
});
