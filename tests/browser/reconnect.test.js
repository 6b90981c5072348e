// The connection drops and comes back: the client says so, recovers its
// socket, and puts the member back where it makes sense.

import { after, before, describe, test } from 'node:test';
import { cable, createGroupOverHttp, launchBrowser, newMember, startServer } from './harness.js';
import { joinViaLink, sendMessage, waitForChatWith, waitForMessage, waitUntilWaiting } from './flows.js';

describe('The web client when the connection drops', () => {
  let server;
  let browser;
  let carol;
  let carolCable;
  let erin;
  let inviteLink;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const group = await createGroupOverHttp(server.baseUrl, {
      name: 'Early Birds',
      description: 'Up before the sun.',
      rules: JSON.stringify(['Coffee first.']),
    });
    inviteLink = `${server.baseUrl}/join/${group.access_code}`;
    carol = await newMember(browser, server.baseUrl, { width: 375, height: 740 });
    carolCable = await cable(carol.page);
    erin = await newMember(browser, server.baseUrl, { width: 1280, height: 800 });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  test('a waiting member sees "reconnecting" and is back in the lobby afterwards', async () => {
    await joinViaLink(carol.page, inviteLink, 'Carol');
    await waitUntilWaiting(carol.page);

    await carolCable.cut();
    await carol.page.getByRole('status').getByText('Reconnecting…').waitFor();
    carolCable.restore();
    await carol.page.getByText('Reconnecting…').waitFor({ state: 'hidden', timeout: 20_000 });
    await waitUntilWaiting(carol.page);

    // Carol rejoined the lobby by herself: a newcomer is paired with her.
    await joinViaLink(erin.page, inviteLink, 'Erin');
    await waitForChatWith(erin.page, 'Carol');
    await waitForChatWith(carol.page, 'Erin');
  });

  test('a chat cut by a dropped connection ends on both sides, and both can start again', async () => {
    await sendMessage(erin.page, 'Carol', 'Good morning!');
    await waitForMessage(carol.page, { own: false, text: 'Good morning!' });

    await carolCable.cut();
    await erin.page.getByText('Carol lost their connection, so the conversation has ended.').waitFor();
    carolCable.restore();
    await carol.page.getByText('Your connection dropped, so this conversation has ended.').waitFor({ timeout: 20_000 });
    // What was said stays visible.
    await waitForMessage(carol.page, { own: false, text: 'Good morning!' });

    await carol.page.getByRole('button', { name: 'Find someone new' }).click();
    await waitUntilWaiting(carol.page);
    await erin.page.getByRole('button', { name: 'Find someone new' }).click();
    await waitForChatWith(carol.page, 'Erin');
    await waitForChatWith(erin.page, 'Carol');
  });
});
