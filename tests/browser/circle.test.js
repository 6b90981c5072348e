// End to end through the web client: the real server, Debian's Chromium, and
// one browser context per member. Steps run in order and share one group.
//
//   owner  creates the group, later closes it
//   alice  (375 px phone)   joins by invite link, chats with bob, moves on to dana
//   bob    (1280 px desktop) joins by invite link, is left behind, waits again, sees the group close
//   dana   (375 px phone)   joins by invite link, is paired with alice

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ensureScreenshotDir, launchBrowser, newMember, startServer } from './harness.js';
import { createGroup, joinViaLink, sendMessage, waitForChatWith, waitForMessage, waitUntilWaiting } from './flows.js';

const XSS = '<img src=x onerror=alert(1)>';
const RULES = ['Be kind.', 'What is said here stays here.', 'No <b>shouting</b>'];

describe('The Circle web client', () => {
  let server;
  let browser;
  const members = {};
  let group;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    members.owner = await newMember(browser, server.baseUrl, { width: 1280, height: 800 });
    members.alice = await newMember(browser, server.baseUrl, { width: 375, height: 740 });
    members.bob = await newMember(browser, server.baseUrl, { width: 1280, height: 800 });
    members.dana = await newMember(browser, server.baseUrl, { width: 375, height: 740 });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  test('the owner creates a group and gets its code and invite link', async () => {
    const { page } = members.owner;
    group = await createGroup(page, {
      name: 'Night Owls',
      description: 'People who are still up and want to talk.',
      rules: RULES,
    });
    assert.match(group.code, /^[a-z0-9]{6,}$/i);
    assert.equal(group.inviteLink, `${server.baseUrl}/join/${group.code}`);
    await page.getByRole('button', { name: 'Close this group' }).waitFor();
    await page.screenshot({ path: path.join(await ensureScreenshotDir(), 'created-1280.png') });
  });

  test('the invite link shows the group, its rules as a list, and a name field', async () => {
    const { page } = members.alice;
    await page.goto(group.inviteLink);
    await page.getByRole('heading', { name: 'Night Owls' }).waitFor();
    await page.getByText('People who are still up and want to talk.').waitFor();
    const rules = await page.locator('.rules-list li').allTextContents();
    assert.deepEqual(rules, RULES);
    await page.getByLabel('Your display name').waitFor();
    await page.screenshot({ path: path.join(await ensureScreenshotDir(), 'intro-375.png'), fullPage: true });
  });

  test('two members who join by invite link wait, then are paired', async () => {
    await joinViaLink(members.alice.page, group.inviteLink, 'Alice');
    await waitUntilWaiting(members.alice.page);
    await members.alice.page.screenshot({ path: path.join(await ensureScreenshotDir(), 'waiting-375.png') });

    await joinViaLink(members.bob.page, group.inviteLink, 'Bob');
    await waitForChatWith(members.alice.page, 'Bob');
    await waitForChatWith(members.bob.page, 'Alice');
    // The group has no prompts, so the chat shows no icebreaker.
    assert.equal(await members.alice.page.locator('.icebreaker').count(), 0);
  });

  test('messages go both ways, own and partner messages look different', async () => {
    const alice = members.alice.page;
    const bob = members.bob.page;

    await sendMessage(alice, 'Bob', 'Hi Bob, are you awake?');
    const seenByBob = await waitForMessage(bob, { own: false, text: 'Hi Bob, are you awake?' });
    assert.equal(await seenByBob.locator('.msg-sender').textContent(), 'Alice');
    assert.match(await seenByBob.locator('time').getAttribute('datetime'), /^\d{4}-\d{2}-\d{2}T/);
    const ownOnAlice = await waitForMessage(alice, { own: true, text: 'Hi Bob, are you awake?' });
    assert.match(await ownOnAlice.locator('.msg-sender').textContent(), /Alice/);

    await sendMessage(bob, 'Alice', 'Yes, wide awake.');
    await waitForMessage(alice, { own: false, text: 'Yes, wide awake.' });
    await waitForMessage(bob, { own: true, text: 'Yes, wide awake.' });

    // Own messages are right-aligned and coloured; the partner's are not.
    const ownBox = await (await waitForMessage(alice, { own: true, text: 'Hi Bob, are you awake?' })).boundingBox();
    const partnerBubble = alice.locator('.msg-partner').first();
    const partnerBox = await partnerBubble.boundingBox();
    assert.ok(ownBox.x > partnerBox.x, 'own message sits to the right of the partner message');
    const [ownBg, partnerBg] = await Promise.all([
      alice.locator('.msg-own').first().evaluate((el) => getComputedStyle(el).backgroundColor),
      partnerBubble.evaluate((el) => getComputedStyle(el).backgroundColor),
    ]);
    assert.notEqual(ownBg, partnerBg);
  });

  test('markup typed by a member is shown as text, never run', async () => {
    const alice = members.alice.page;
    const bob = members.bob.page;

    await sendMessage(bob, 'Alice', XSS);
    const onAlice = await waitForMessage(alice, { own: false, text: XSS });
    assert.equal(await onAlice.locator('.msg-text').textContent(), XSS);
    await waitForMessage(bob, { own: true, text: XSS });

    await sendMessage(alice, 'Bob', `reply: ${XSS}`);
    await waitForMessage(bob, { own: false, text: `reply: ${XSS}` });
    await waitForMessage(alice, { own: true, text: `reply: ${XSS}` });

    for (const page of [alice, bob]) {
      assert.equal(await page.locator('img').count(), 0, 'no img element was created');
    }
    for (const who of ['alice', 'bob']) {
      assert.deepEqual(members[who].problems.dialogs, [], `${who} saw no dialog`);
    }
  });

  test('screenshots of the chat at 375 px and 1280 px', async () => {
    const dir = await ensureScreenshotDir();
    await sendMessage(members.alice.page, 'Bob', 'Night owls unite — a longer message to see how the bubbles wrap on a narrow phone screen.');
    await waitForMessage(members.bob.page, { own: false, text: 'Night owls unite — a longer message to see how the bubbles wrap on a narrow phone screen.' });
    await waitForMessage(members.alice.page, { own: true, text: 'Night owls unite — a longer message to see how the bubbles wrap on a narrow phone screen.' });
    await members.alice.page.screenshot({ path: path.join(dir, 'chat-375.png') });
    await members.bob.page.screenshot({ path: path.join(dir, 'chat-1280.png') });
  });

  test('"Next person" pairs Alice with a newcomer; Bob sees that she left', async () => {
    await joinViaLink(members.dana.page, group.inviteLink, 'Dana');
    // Bob is still in his room, and Alice is Bob's partner: Dana waits.
    await waitUntilWaiting(members.dana.page);

    await members.alice.page.getByRole('button', { name: 'Next person' }).click();
    await waitForChatWith(members.alice.page, 'Dana');
    await waitForChatWith(members.dana.page, 'Alice');

    const bob = members.bob.page;
    await bob.getByText('Alice moved on to meet someone else.', { exact: true }).first().waitFor();
    await bob.getByRole('button', { name: 'Find someone new' }).waitFor();
    await bob.getByRole('heading', { name: 'Conversation with Alice' }).waitFor();
    // The conversation stays visible and the composer is gone.
    await waitForMessage(bob, { own: false, text: 'Hi Bob, are you awake?' });
    assert.ok(await bob.getByLabel('Message to Alice').isHidden(), 'no composer once the partner left');
    await bob.screenshot({ path: path.join(await ensureScreenshotDir(), 'partner-left-1280.png') });

    // The new pair talks, and nothing reaches Bob.
    await sendMessage(members.dana.page, 'Alice', 'Hello Alice, Dana here.');
    await waitForMessage(members.alice.page, { own: false, text: 'Hello Alice, Dana here.' });
    await waitForMessage(members.dana.page, { own: true, text: 'Hello Alice, Dana here.' });
    assert.equal(await bob.getByText('Hello Alice, Dana here.').count(), 0);
    // The earlier conversation is gone from Alice's screen.
    assert.equal(await members.alice.page.getByText('Hi Bob, are you awake?').count(), 0);
  });

  test('the home page remembers the group on this device', async () => {
    const page = await members.dana.context.newPage();
    await page.goto('/');
    const recent = page.getByRole('region', { name: 'Recently used on this device' });
    await recent.getByText('Night Owls').waitFor();
    await recent.getByText(group.code).waitFor();
    await page.close();
  });

  test('the owner closes the group; a waiting member is told', async () => {
    const bob = members.bob.page;
    await bob.getByRole('button', { name: 'Find someone new' }).click();
    await waitUntilWaiting(bob);

    const owner = members.owner.page;
    await owner.getByRole('button', { name: 'Close this group' }).click();
    await owner.getByRole('button', { name: 'Yes, close it' }).click();
    await owner.getByText('The group is closed. Its code no longer works.').waitFor();

    await bob.getByRole('heading', { name: 'This group is closed' }).waitFor();
    await bob.getByText('This group has been closed by its owner', { exact: false }).waitFor();

    // The invite link no longer opens the group.
    const late = await members.owner.context.newPage();
    await late.goto(group.inviteLink);
    await late.getByRole('heading', { name: 'Group not found' }).waitFor();
    await late.getByRole('alert').getByText('unknown or has expired').waitFor();
    await late.close();
  });

  test('an unknown code gives a readable error on the home page', async () => {
    const { page } = members.dana;
    await page.goto('/');
    // Same alphabet and length as a real code, so only its existence is wrong.
    const unknown = [...group.code].reverse().join('');
    await page.getByLabel('Group code').fill(unknown);
    await page.getByLabel('Your display name').fill('Dana');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').getByText('This group code is unknown or has expired').waitFor();
    await page.screenshot({ path: path.join(await ensureScreenshotDir(), 'home-error-375.png'), fullPage: true });
  });

  test('no member page threw an error', () => {
    for (const [who, member] of Object.entries(members)) {
      assert.deepEqual(member.problems.pageErrors, [], `${who} had no uncaught page error`);
      assert.deepEqual(member.problems.dialogs, [], `${who} saw no dialog`);
    }
  });
});
