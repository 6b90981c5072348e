// Leaving on purpose: "Leave" in a chat, "Cancel" while waiting.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createGroupOverHttp, launchBrowser, newMember, startServer } from './harness.js';
import { joinViaLink, waitForChatWith, waitUntilWaiting } from './flows.js';

describe('Leaving through the web client', () => {
  let server;
  let browser;
  let inviteLink;
  const members = {};

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const group = await createGroupOverHttp(server.baseUrl, {
      name: 'Book Club',
      description: 'Talk about what you read.',
      // Not a JSON array (another client wrote it): shown as written.
      rules: 'No spoilers <i>please</i>.',
    });
    inviteLink = `${server.baseUrl}/join/${group.access_code}`;
    for (const name of ['frank', 'grace', 'heidi']) {
      members[name] = await newMember(browser, server.baseUrl, { width: 375, height: 740 });
    }
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  test('rules that are not a JSON array are shown as written', async () => {
    const { page } = members.frank;
    await page.goto(inviteLink);
    await page.getByRole('region', { name: 'Rules of this group' }).getByText('No spoilers <i>please</i>.', { exact: true }).waitFor();
    assert.equal(await page.locator('i').count(), 0);
  });

  test('"Leave" ends the chat for both and takes the leaver home', async () => {
    await joinViaLink(members.frank.page, inviteLink, 'Frank');
    await waitUntilWaiting(members.frank.page);
    await joinViaLink(members.grace.page, inviteLink, 'Grace');
    await waitForChatWith(members.frank.page, 'Grace');
    await waitForChatWith(members.grace.page, 'Frank');

    await members.grace.page.getByRole('button', { name: 'Leave', exact: true }).click();
    await members.grace.page.getByRole('heading', { name: 'Meet someone from your circle' }).waitFor();
    assert.equal(new URL(members.grace.page.url()).pathname, '/');
    await members.frank.page.getByText('Grace left the conversation.').waitFor();
  });

  test('"Cancel" while waiting leaves the lobby', async () => {
    const frank = members.frank.page;
    await frank.getByRole('button', { name: 'Find someone new' }).click();
    await waitUntilWaiting(frank);
    await frank.getByRole('button', { name: 'Cancel' }).click();
    await frank.getByRole('heading', { name: 'Meet someone from your circle' }).waitFor();

    // Grace (whose last partner was Frank) and Heidi are the only ones waiting
    // now, so they meet; Frank, gone from the lobby, is never picked.
    await joinViaLink(members.grace.page, inviteLink, 'Grace');
    await waitUntilWaiting(members.grace.page);
    await joinViaLink(members.heidi.page, inviteLink, 'Heidi');
    await waitForChatWith(members.heidi.page, 'Grace');
    await waitForChatWith(members.grace.page, 'Heidi');
    await frank.getByRole('heading', { name: 'Meet someone from your circle' }).waitFor();
  });
});
