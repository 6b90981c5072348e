// Typing through the web client (docs/protocol.md section 7): while Bob types, Alice sees
// "Bob is typing…"; it goes when his message arrives, or 3 s after he stops. Screenshots
// at 375 and 1280 px go to tests/browser/screenshots/.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { screenshotBothWidths, suiteWithMembers } from './harness.js';
import { createGroup, joinViaLink, sendMessage, waitForChatWith, waitForMessage } from './flows.js';

describe('The typing indicator in the web client', () => {
  const suite = suiteWithMembers({
    owner: { width: 1280, height: 800 },
    alice: { width: 375, height: 740 },
    bob: { width: 1280, height: 800 },
  });
  const { members } = suite;

  test('the partner sees "<name> is typing…" until the message comes, or 3 s after the typing stops', async () => {
    const group = await createGroup(members.owner.page, { name: 'Typists', description: 'We type.' });
    await joinViaLink(members.alice.page, group.inviteLink, 'Alice');
    await joinViaLink(members.bob.page, group.inviteLink, 'Bob');
    await waitForChatWith(members.alice.page, 'Bob');
    await waitForChatWith(members.bob.page, 'Alice');

    const indicator = members.alice.page.getByText('Bob is typing…');
    await members.bob.page.getByLabel('Message to Alice').pressSequentially('Hello the');
    await indicator.waitFor();
    assert.equal(await members.bob.page.getByText('Alice is typing…').isVisible(), false, 'only the partner');
    await screenshotBothWidths(members.alice.page, 'typing');

    await sendMessage(members.bob.page, 'Alice', 'Hello there');
    await waitForMessage(members.alice.page, { own: false, text: 'Hello there' });
    await indicator.waitFor({ state: 'hidden' });

    const started = Date.now();
    await members.bob.page.getByLabel('Message to Alice').pressSequentially('still');
    await indicator.waitFor();
    await indicator.waitFor({ state: 'hidden', timeout: 6000 });
    assert.ok(Date.now() - started >= 2500, 'shown for about 3 s after the last typing');
    for (const member of Object.values(members)) {
      assert.deepEqual(member.problems, { pageErrors: [], dialogs: [] });
    }
  });
});
