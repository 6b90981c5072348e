// The profanity filter through the web client (docs/protocol.md section 7): on by
// default, Alice sees Bob's profanity masked; she turns "Profanity Filter" off under the
// chat and sees his next one as written, and the choice is remembered on her device. Bob's
// own copy is never masked. Screenshots at 375 and 1280 px go to tests/browser/screenshots/.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { screenshotBothWidths, suiteWithMembers } from './harness.js';
import { createGroup, joinViaLink, sendMessage, waitForChatWith, waitForMessage } from './flows.js';

describe('The profanity filter in the web client', () => {
  const suite = suiteWithMembers({
    owner: { width: 1280, height: 800 },
    alice: { width: 375, height: 740 },
    bob: { width: 1280, height: 800 },
  });
  const { members } = suite;

  test("the partner's profanity is masked while the toggle is on and shown once it is off", async () => {
    const group = await createGroup(members.owner.page, { name: 'Plain talk', description: 'We swear.' });
    await joinViaLink(members.alice.page, group.inviteLink, 'Alice');
    await joinViaLink(members.bob.page, group.inviteLink, 'Bob');
    await waitForChatWith(members.alice.page, 'Bob');
    await waitForChatWith(members.bob.page, 'Alice');

    const toggle = members.alice.page.getByLabel('Profanity Filter: On');
    assert.equal(await toggle.isChecked(), true, 'on by default');
    await sendMessage(members.bob.page, 'Alice', 'what the fuck, see you at noon');
    await waitForMessage(members.alice.page, { own: false, text: 'what the ****, see you at noon' });
    await waitForMessage(members.bob.page, { own: true, text: 'what the fuck, see you at noon' });
    await screenshotBothWidths(members.alice.page, 'profanity-filter');

    await toggle.uncheck();
    await members.alice.page.getByLabel('Profanity Filter: Off').waitFor();
    const stored = await members.alice.page.evaluate(() => localStorage.getItem('circle.filterProfanity'));
    assert.equal(stored, 'false', 'the choice is remembered on this device');
    // The toggle is enabled again once the server has acknowledged the change.
    await members.alice.page.waitForFunction(() => !document.querySelector('[data-role="profanity-filter"]').disabled);
    await sendMessage(members.bob.page, 'Alice', 'oh shit, running late');
    await waitForMessage(members.alice.page, { own: false, text: 'oh shit, running late' });
    for (const member of Object.values(members)) {
      assert.deepEqual(member.problems, { pageErrors: [], dialogs: [] });
    }
  });
});
