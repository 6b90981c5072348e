// Block and report through the web client (docs/protocol.md section 7): each asks first in
// a dialog (a report also asks why); the chat ends, the member who blocked or reported
// waits for someone new, and her partner sees only that she left (one whose partner left
// may still block or report). The two never meet again. A member removed by reports sees
// so and cannot join that group again.
// Screenshots at 375 and 1280 px go to tests/browser/screenshots/.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createGroupOverHttp, screenshotBothWidths, suiteWithMembers } from './harness.js';
import { joinViaLink, sendMessage, waitForChatWith, waitForMessage, waitUntilWaiting } from './flows.js';

/** A group made over HTTP; resolves with {code, inviteLink}. */
async function newGroup(suite, name) {
  const group = await createGroupOverHttp(suite.server.baseUrl, { name, description: 'Be nice to each other.' });
  return { code: group.access_code, inviteLink: `${suite.server.baseUrl}/join/${group.access_code}` };
}

/** The visible text of the element that has the focus. */
function focusedText(page) {
  return page.evaluate(() => document.activeElement && document.activeElement.textContent.trim());
}

function assertNoProblems(members) {
  for (const member of Object.values(members)) {
    assert.deepEqual(member.problems, { pageErrors: [], dialogs: [] });
  }
}

describe('Block and report in the web client', () => {
  const suite = suiteWithMembers({
    alice: { width: 375, height: 740 },
    bob: { width: 1280, height: 800 },
    carol: { width: 1280, height: 800 },
  });
  const { members } = suite;
  let group;

  test('a block asks first, then the blocker waits again and the partner sees only that she left', async () => {
    group = await newGroup(suite, 'Quiet Corner');
    const alice = members.alice.page;
    const bob = members.bob.page;
    await joinViaLink(alice, group.inviteLink, 'Alice');
    await waitUntilWaiting(alice);
    await joinViaLink(bob, group.inviteLink, 'Bob');
    await waitForChatWith(alice, 'Bob');
    await waitForChatWith(bob, 'Alice');
    await sendMessage(bob, 'Alice', 'Hello Alice');
    await waitForMessage(alice, { own: false, text: 'Hello Alice' });
    await screenshotBothWidths(alice, 'safety-controls');

    // Cancel changes nothing and gives the focus back to "Block".
    const blockButton = alice.getByRole('button', { name: 'Block', exact: true });
    await blockButton.click();
    const dialog = alice.getByRole('dialog', { name: 'Block Bob?' });
    await dialog.waitFor();
    assert.equal(await focusedText(alice), 'Cancel', 'the safe choice has the focus');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await focusedText(alice), 'Block');
    await waitForChatWith(alice, 'Bob');

    await blockButton.click();
    await dialog.getByRole('button', { name: 'Block Bob' }).click();
    await waitUntilWaiting(alice);
    await alice.getByText('You blocked Bob. You will not be paired with them again in this group.').waitFor();
    await screenshotBothWidths(alice, 'blocked-waiting');

    await bob.getByRole('heading', { name: 'Conversation with Alice' }).waitFor();
    assert.equal((await bob.locator('.ended-text').textContent()).trim(), 'Alice left the conversation.');
    assert.equal(await bob.locator('.messages, .ended-panel').getByText(/block/i).count(), 0, 'a block is never revealed');
  });

  test('a report asks for a reason, then ends the chat the same way', async () => {
    const alice = members.alice.page;
    const carol = members.carol.page;
    // Alice is the only one waiting (Bob still sits in his ended chat).
    await joinViaLink(carol, group.inviteLink, 'Carol');
    await waitForChatWith(carol, 'Alice');
    await waitForChatWith(alice, 'Carol');

    await carol.getByRole('button', { name: 'Report', exact: true }).click();
    const dialog = carol.getByRole('dialog', { name: 'Report Alice?' });
    await dialog.waitFor();
    await dialog.getByRole('group', { name: 'Why are you reporting Alice?' }).waitFor();
    assert.equal(await dialog.getByRole('radio', { name: 'Spam' }).evaluate((el) => el === document.activeElement), true);
    await dialog.getByRole('button', { name: 'Report Alice' }).click();
    await dialog.getByRole('alert').getByText('Choose a reason for your report.').waitFor();
    await waitForChatWith(carol, 'Alice');

    await dialog.getByRole('radio', { name: 'Spam' }).check();
    await dialog.getByRole('alert').waitFor({ state: 'hidden' });
    await screenshotBothWidths(carol, 'report-dialog');
    await dialog.getByRole('button', { name: 'Report Alice' }).click();
    await waitUntilWaiting(carol);
    await carol.getByText('Thank you for your report. You will not be paired with Alice again in this group.').waitFor();

    await alice.getByRole('heading', { name: 'Conversation with Carol' }).waitFor();
    assert.equal((await alice.locator('.ended-text').textContent()).trim(), 'Carol left the conversation.');
    assert.equal(await alice.locator('.messages, .ended-panel').getByText(/report/i).count(), 0, 'a report is never revealed');
  });

  test('a partner who left can still be reported, and blocked or reported partners never meet again', async () => {
    const alice = members.alice.page;
    const bob = members.bob.page;
    // Carol waits; Alice looks again: Carol reported her, so they are not paired.
    await alice.getByRole('button', { name: 'Find someone new' }).click();
    await waitUntilWaiting(alice);
    // Bob, whose chat with Alice ended, reports her all the same; he waits again, and
    // since Alice blocked him he meets Carol.
    await bob.getByRole('button', { name: 'Report', exact: true }).click();
    const dialog = bob.getByRole('dialog', { name: 'Report Alice?' });
    await dialog.getByRole('radio', { name: 'Something else' }).check();
    await dialog.getByRole('button', { name: 'Report Alice' }).click();
    await waitForChatWith(bob, 'Carol');
    await waitForChatWith(members.carol.page, 'Bob');
    assert.equal(await alice.getByRole('heading', { name: 'Waiting for someone to talk to…' }).isVisible(), true);
    assertNoProblems(members);
  });
});

describe('Removal by reports in the web client', () => {
  // One report removes a member here.
  const suite = suiteWithMembers(
    { dan: { width: 375, height: 740 }, erin: { width: 1280, height: 800 } },
    { serverArgs: ['--report-threshold', '1'] },
  );
  const { members } = suite;

  test('a removed member sees so, with no way back into the group', async () => {
    const group = await newGroup(suite, 'Strict Club');
    const dan = members.dan.page;
    const erin = members.erin.page;
    await joinViaLink(dan, group.inviteLink, 'Dan');
    await waitUntilWaiting(dan);
    await joinViaLink(erin, group.inviteLink, 'Erin');
    await waitForChatWith(dan, 'Erin');
    await waitForChatWith(erin, 'Dan');

    await erin.getByRole('button', { name: 'Report', exact: true }).click();
    const dialog = erin.getByRole('dialog', { name: 'Report Dan?' });
    await dialog.getByRole('radio', { name: 'Abuse or harassment' }).check();
    await dialog.getByRole('button', { name: 'Report Dan' }).click();
    await waitUntilWaiting(erin);

    await dan.getByRole('heading', { name: 'You were removed from this group' }).waitFor();
    const buttons = await dan.locator('#view').getByRole('button').allTextContents();
    assert.deepEqual(buttons, ['Back to home'], 'no way back into the group');
    await screenshotBothWidths(dan, 'removed');

    await dan.getByRole('button', { name: 'Back to home' }).click();
    await dan.getByRole('heading', { name: 'Meet someone from your circle' }).waitFor();
    assert.equal(await dan.getByText('Strict Club').count(), 0, 'no longer among the recent groups');
    // Trying again by its code (same tab, same member) is refused with a clear sentence.
    await dan.getByLabel('Group code').fill(group.code);
    await dan.getByRole('button', { name: 'Continue' }).click();
    await dan.getByRole('button', { name: 'Join the circle' }).click();
    await dan
      .getByRole('alert')
      .getByText('You were removed from this group after reports from its members, so you cannot join it again.')
      .waitFor();
    assertNoProblems(members);
  });
});
