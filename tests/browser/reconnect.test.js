// The connection drops and comes back: the client says so, recovers its socket, and
// puts the member back where it makes sense. A member who comes back within the resume
// window keeps her place (resume.test.js); these tests are about the rest.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cable, createGroupOverHttp, gauge, launchBrowser, newMember, startServer } from './harness.js';
import { joinViaLink, sendMessage, waitForChatWith, waitForMessage, waitUntilWaiting } from './flows.js';

/** Short enough for a test to outlast it, long enough for a quick reconnect to resume. */
const RESUME_WINDOW = '2s';

describe('The web client when the connection drops', () => {
  let server;
  let browser;
  let carol;
  let carolCable;
  let erin;
  let inviteLink;

  before(async () => {
    server = await startServer({ args: ['--resume-window', RESUME_WINDOW] });
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

  test('a chat whose member stays away past the resume window ends on both sides, and both can start again', async () => {
    await sendMessage(erin.page, 'Carol', 'Good morning!');
    await waitForMessage(carol.page, { own: false, text: 'Good morning!' });

    await carolCable.cut();
    await erin.page.getByText("Carol's connection dropped — waiting").waitFor();
    await erin.page.getByText('Carol lost their connection, so the conversation has ended.').waitFor();
    // Back too late: her place is gone (resume_failed), and she is told.
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

describe('The web client when its member acts while it waits to reconnect', () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  test('"Find someone new" during the backoff opens one socket, and the pending retry opens none', async () => {
    const group = await createGroupOverHttp(server.baseUrl, { name: 'Night Owls', description: 'Up late.' });
    const inviteLink = `${server.baseUrl}/join/${group.access_code}`;
    const dave = await newMember(browser, server.baseUrl);
    const daveCable = await cable(dave.page);
    const frank = await newMember(browser, server.baseUrl);
    // Dave's timers run only when the test says so: the retry stays pending until then.
    await dave.page.clock.install();

    await joinViaLink(dave.page, inviteLink, 'Dave');
    await waitUntilWaiting(dave.page);
    await joinViaLink(frank.page, inviteLink, 'Frank');
    await waitForChatWith(dave.page, 'Frank');
    await frank.page.getByRole('button', { name: 'Leave' }).click();
    const findSomeoneNew = dave.page.getByRole('button', { name: 'Find someone new' });
    await findSomeoneNew.waitFor();

    await dave.page.clock.pauseAt((await dave.page.evaluate(() => Date.now())) + 1_000);
    await daveCable.cut();
    await dave.page.getByRole('status').getByText('Reconnecting…').waitFor();
    daveCable.restore();
    // The click opens a socket at once and takes Dave back to the lobby over it.
    await findSomeoneNew.click();
    await waitUntilWaiting(dave.page);
    // Now the retry that was scheduled when the cable was cut comes due.
    await dave.page.clock.runFor(10_000);
    await dave.page.clock.resume();

    await joinViaLink(frank.page, inviteLink, 'Frank');
    await waitForChatWith(frank.page, 'Dave');
    await waitForChatWith(dave.page, 'Frank');
    assert.equal(daveCable.openCount(), 1, "Dave's page holds one socket");
    assert.equal(await gauge(server.baseUrl, 'connections'), 2, 'the server holds one socket per member');
    assert.equal(await gauge(server.baseUrl, 'waiting'), 0, 'nobody is left in the lobby');
    assert.deepEqual(dave.problems, { pageErrors: [], dialogs: [] });
  });
});
