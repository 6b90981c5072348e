// Owner counts through the web client (docs/protocol.md section 7): the owner's page shows
// who waits, who chats and the pairs formed, next to "Close this group", refreshed every
// 5 s while it shows and no more once the owner leaves it. Screenshots of the owner's page
// with counts at 375 and 1280 px go to tests/browser/screenshots/.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { screenshotBothWidths, suiteWithMembers } from './harness.js';
import { createGroup, joinViaLink, waitForChatWith, waitUntilWaiting } from './flows.js';

/** Longer than one refresh (5 s) and the request it makes. */
const REFRESHED = { timeout: 8000 };

/** Waits until the owner's page shows `value` for the count `key`. */
async function waitForCount(page, key, value) {
  await page.locator(`[data-count="${key}"]`, { hasText: new RegExp(`^${value}$`) }).waitFor(REFRESHED);
}

describe('Owner counts in the web client', () => {
  const suite = suiteWithMembers({
    owner: { width: 1280, height: 800 },
    alice: { width: 375, height: 740 },
    bob: { width: 1280, height: 800 },
  });
  const { members } = suite;

  test('the owner sees the counts move as two members wait and pair, and they stop when she leaves the page', async () => {
    const { page } = members.owner;
    const statsRequests = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.endsWith('/stats')) statsRequests.push(Date.now());
    });
    const group = await createGroup(page, { name: 'Counted', description: 'We count.' });
    await page.getByRole('button', { name: 'Close this group' }).waitFor();
    for (const key of ['waiting', 'chatting', 'pairs_formed', 'reports', 'removed']) {
      await waitForCount(page, key, 0);
    }

    await joinViaLink(members.alice.page, group.inviteLink, 'Alice');
    await waitUntilWaiting(members.alice.page);
    await waitForCount(page, 'waiting', 1);

    await joinViaLink(members.bob.page, group.inviteLink, 'Bob');
    await waitForChatWith(members.alice.page, 'Bob');
    await waitForCount(page, 'chatting', 2);
    await waitForCount(page, 'pairs_formed', 1);
    await waitForCount(page, 'waiting', 0);
    await screenshotBothWidths(page, 'owner-counts');

    const gaps = statsRequests.slice(1).map((at, i) => at - statsRequests[i]);
    assert.ok(gaps.every((gap) => gap >= 4500), `at most one reading every 5 s: ${gaps}`);

    await page.locator('#home-link').click();
    await page.getByRole('heading', { name: 'Meet someone from your circle' }).waitFor();
    const left = statsRequests.length;
    await page.waitForTimeout(6000);
    assert.equal(statsRequests.length, left, 'no reading once the owner left the page');

    for (const member of Object.values(members)) {
      assert.deepEqual(member.problems, { pageErrors: [], dialogs: [] });
    }
  });
});
