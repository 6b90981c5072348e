// Icebreakers through the web client: the owner writes prompts in the create form
// (add, remove, limits shown), and both members of a pair see the same one of them at
// the top of the chat. Screenshots of the new screens at 375 and 1280 px go to
// tests/browser/screenshots/.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { screenshotBothWidths, suiteWithMembers } from './harness.js';
import { fillCreateForm, joinViaLink, submitCreateForm, waitForChatWith } from './flows.js';

const PROMPTS = ['What are you reading at the moment?', 'Best trip you ever took?', 'Tea or coffee, and why?'];

describe('Icebreakers in the web client', () => {
  const suite = suiteWithMembers({
    owner: { width: 1280, height: 800 },
    alice: { width: 375, height: 740 },
    bob: { width: 1280, height: 800 },
  });
  const { members } = suite;
  let group;

  test('the owner adds and removes prompts in the create form, with the limits shown', async () => {
    const { page } = members.owner;
    await fillCreateForm(page, {
      name: 'Night Owls',
      description: 'People who are still up and want to talk.',
      rules: ['Be kind.'],
      prompts: [...PROMPTS, 'A prompt to remove'],
    });
    await page.getByText('up to 20, 200 characters each').waitFor();
    assert.equal(await page.getByLabel('Prompt 1', { exact: true }).getAttribute('maxlength'), '200');
    await page.getByText('4 of 20', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Remove prompt 4' }).click();
    await page.getByText('3 of 20', { exact: true }).waitFor();
    await screenshotBothWidths(page, 'create-prompts');

    group = await submitCreateForm(page);
    const shown = await (await fetch(`${suite.server.baseUrl}/groups/${group.code}`)).json();
    assert.deepEqual(shown.prompts, PROMPTS);
  });

  test('the add button stops at 20 prompts', async () => {
    const { page } = members.bob;
    await fillCreateForm(page, { name: 'Full', description: 'Many prompts.', prompts: PROMPTS });
    const add = page.getByRole('button', { name: 'Add a prompt' });
    for (let rows = PROMPTS.length; rows < 20; rows += 1) await add.click();
    await page.getByText('20 of 20: the most a group can have').waitFor();
    assert.equal(await add.isDisabled(), true);
  });

  test('both members of a pair see the same prompt of the group at the top of the chat', async () => {
    await joinViaLink(members.alice.page, group.inviteLink, 'Alice');
    await joinViaLink(members.bob.page, group.inviteLink, 'Bob');
    await waitForChatWith(members.alice.page, 'Bob');
    await waitForChatWith(members.bob.page, 'Alice');
    const seen = [];
    for (const { page } of [members.alice, members.bob]) {
      const icebreaker = page.getByRole('complementary', { name: 'Icebreaker' });
      seen.push((await icebreaker.locator('.icebreaker-text').textContent()).trim());
    }
    assert.ok(PROMPTS.includes(seen[0]), seen[0]);
    assert.equal(seen[1], seen[0]);
    await screenshotBothWidths(members.alice.page, 'chat-prompt');
    for (const member of Object.values(members)) {
      assert.deepEqual(member.problems, { pageErrors: [], dialogs: [] });
    }
  });
});
