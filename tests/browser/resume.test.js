// A chat survives the network (docs/protocol.md section 6): a member whose connection
// drops (offline, cut, or silently dead) comes back to the same chat, her partner sees
// that she is away meanwhile, and every message arrives once and in order on both sides,
// including those in flight when the connection died (and an event that arrives twice
// with the same seq is shown once). Closing a page, on the other hand, ends the chat for
// the partner at once. When the server cannot keep everything for an away member, the
// sender gets "Not delivered" and Retry, and the member who comes back is told that some
// messages may be missing. Screenshots of the "Reconnecting…",
// "connection dropped — waiting" and "Not delivered" states at 375 and 1280 px go to
// tests/browser/screenshots/.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cable, createGroupOverHttp, launchBrowser, network, newMember, screenshotBothWidths, startServer } from './harness.js';
import { joinViaLink, sendMessage, transcript, waitForChatWith, waitForMessage, waitUntilWaiting } from './flows.js';

const OUTAGE_MS = 5_000;

/**
 * Two new members of the group behind `inviteLink`, `first` (375 px) and `second`
 * (1280 px), paired in a chat. With `cableFirst`, the first one's WebSockets run through
 * a cable() the test can cut. Returns {a, b, aCable}.
 */
async function pair(browser, inviteLink, first, second, { cableFirst = false } = {}) {
  const baseUrl = new URL(inviteLink).origin;
  const a = await newMember(browser, baseUrl, { width: 375, height: 740 });
  const aCable = cableFirst ? await cable(a.page) : null;
  const b = await newMember(browser, baseUrl, { width: 1280, height: 800 });
  await joinViaLink(a.page, inviteLink, first);
  await waitUntilWaiting(a.page);
  await joinViaLink(b.page, inviteLink, second);
  await waitForChatWith(a.page, second);
  await waitForChatWith(b.page, first);
  return { a, b, aCable };
}

/** Asserts that the page still shows the chat with `partner`, not its end. */
async function assertStillChatting(page, partner) {
  await waitForChatWith(page, partner);
  assert.equal(await page.locator('.ended-panel').isVisible(), false, 'the chat has not ended');
  assert.equal(await page.getByText(/left the conversation|lost their connection|has ended/).count(), 0);
}

describe('A chat in the web client when a connection drops', () => {
  let server;
  let browser;
  let inviteLink;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const group = await createGroupOverHttp(server.baseUrl, { name: 'Commuters', description: 'Chats between tunnels.' });
    inviteLink = `${server.baseUrl}/join/${group.access_code}`;
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  test('one page offline for 5 s while both type: both stay, every message once and in order', async () => {
    const { a: alice, b: bob } = await pair(browser, inviteLink, 'Alice', 'Bob');
    await sendMessage(alice.page, 'Bob', 'Hi Bob');
    await waitForMessage(bob.page, { own: false, text: 'Hi Bob' });
    await sendMessage(bob.page, 'Alice', 'Hi Alice');
    await waitForMessage(alice.page, { own: false, text: 'Hi Alice' });

    const aliceNetwork = await network(alice.page);
    await aliceNetwork.offline();
    const outageStart = Date.now();
    await alice.page.getByRole('status').getByText('Reconnecting…').waitFor();
    for (const n of [1, 2, 3]) {
      await sendMessage(alice.page, 'Bob', `Alice offline ${n}`);
      await sendMessage(bob.page, 'Alice', `Bob meanwhile ${n}`);
    }
    // Bob's go through at once (held for Alice if the server noticed she is away);
    // Alice's wait in her outbox.
    await waitForMessage(bob.page, { own: true, text: 'Bob meanwhile 3' });
    assert.equal(await alice.page.locator('.msg-outgoing').filter({ hasText: 'Sending…' }).count(), 3);
    // The outage lasts 5 s in all: the scenario's length, not a wait for something.
    await alice.page.waitForTimeout(Math.max(0, OUTAGE_MS - (Date.now() - outageStart)));
    await aliceNetwork.online();

    await alice.page.getByText('Reconnecting…').waitFor({ state: 'hidden', timeout: 20_000 });
    // One more each after the outage, so that a late duplicate would be in by then.
    await waitForMessage(bob.page, { own: false, text: 'Alice offline 3' });
    await sendMessage(alice.page, 'Bob', 'Back');
    await sendMessage(bob.page, 'Alice', 'Welcome back');
    for (const { page } of [alice, bob]) {
      await waitForMessage(page, { own: page === alice.page, text: 'Back' });
      await waitForMessage(page, { own: page === bob.page, text: 'Welcome back' });
    }

    // Bob's three were sent before Alice's three reached the server, and everyone sees
    // the server's order.
    const expected = [
      'Hi Bob',
      'Hi Alice',
      'Bob meanwhile 1',
      'Bob meanwhile 2',
      'Bob meanwhile 3',
      'Alice offline 1',
      'Alice offline 2',
      'Alice offline 3',
      'Back',
      'Welcome back',
    ];
    assert.deepEqual(await transcript(alice.page), expected);
    assert.deepEqual(await transcript(bob.page), expected);
    for (const { page } of [alice, bob]) assert.equal(await page.locator('.msg-outgoing').count(), 0);
    await assertStillChatting(alice.page, 'Bob');
    await assertStillChatting(bob.page, 'Alice');
    for (const member of [alice, bob]) assert.deepEqual(member.problems, { pageErrors: [], dialogs: [] });
  });

  test('the partner sees "connection dropped — waiting" while a member is away, and it clears when she is back', async () => {
    const { a: carol, b: dave, aCable: carolCable } = await pair(browser, inviteLink, 'Carol', 'Dave', { cableFirst: true });

    await carolCable.cut();
    const away = dave.page.getByRole('status').getByText("Carol's connection dropped — waiting");
    await away.waitFor();
    await carol.page.getByRole('status').getByText('Reconnecting…').waitFor();
    // A message to an away partner is held for her: sent, as far as Dave can tell.
    await sendMessage(dave.page, 'Carol', 'Are you there?');
    await waitForMessage(dave.page, { own: true, text: 'Are you there?' });
    // What Carol writes meanwhile waits on her page.
    await sendMessage(carol.page, 'Dave', 'Sorry, I am in a tunnel');
    await carol.page.locator('.msg-outgoing').filter({ hasText: 'Sending…' }).waitFor();
    await screenshotBothWidths(dave.page, 'partner-away');
    await screenshotBothWidths(carol.page, 'reconnecting');

    carolCable.restore();
    await carol.page.getByText('Reconnecting…').waitFor({ state: 'hidden', timeout: 20_000 });
    await away.waitFor({ state: 'hidden' });
    await waitForMessage(carol.page, { own: false, text: 'Are you there?' });
    await waitForMessage(dave.page, { own: false, text: 'Sorry, I am in a tunnel' });
    await waitForMessage(carol.page, { own: true, text: 'Sorry, I am in a tunnel' });
    assert.deepEqual(await transcript(carol.page), ['Are you there?', 'Sorry, I am in a tunnel']);
    assert.deepEqual(await transcript(dave.page), ['Are you there?', 'Sorry, I am in a tunnel']);
    await assertStillChatting(carol.page, 'Dave');
    await assertStillChatting(dave.page, 'Carol');
  });

  test('messages in flight when the connection dies arrive once each, whether the server got them or not', async () => {
    const { a: mia, b: ned, aCable: miaCable } = await pair(browser, inviteLink, 'Mia', 'Ned', { cableFirst: true });
    // The server gets these two, but neither their acks nor their echoes reach Mia.
    miaCable.stall();
    await sendMessage(mia.page, 'Ned', 'First');
    await sendMessage(mia.page, 'Ned', 'Second');
    await waitForMessage(ned.page, { own: false, text: 'Second' });
    // This one never reaches the server.
    miaCable.stall({ alsoFromPage: true });
    await sendMessage(mia.page, 'Ned', 'Third');
    assert.equal(await mia.page.locator('.msg-outgoing').filter({ hasText: 'Sending…' }).count(), 3);
    await miaCable.cut();
    await mia.page.getByRole('status').getByText('Reconnecting…').waitFor();
    miaCable.restore();

    // The replay shows Mia that the first two arrived; only the third goes again.
    await waitForMessage(ned.page, { own: false, text: 'Third' });
    await sendMessage(ned.page, 'Mia', 'Got them');
    await waitForMessage(mia.page, { own: false, text: 'Got them' });
    assert.deepEqual(await transcript(mia.page), ['First', 'Second', 'Third', 'Got them']);
    assert.deepEqual(await transcript(ned.page), ['First', 'Second', 'Third', 'Got them']);
    assert.equal(await mia.page.locator('.msg-outgoing').count(), 0);
  });

  test('an event that arrives twice with the same seq is shown once', async () => {
    const { a: olga, b: pete, aCable: olgaCable } = await pair(browser, inviteLink, 'Olga', 'Pete', { cableFirst: true });
    olgaCable.double();
    await sendMessage(pete.page, 'Olga', 'Said once');
    await sendMessage(olga.page, 'Pete', 'Heard once');
    await waitForMessage(pete.page, { own: false, text: 'Heard once' });
    await waitForMessage(olga.page, { own: true, text: 'Heard once' });
    assert.deepEqual(await transcript(olga.page), ['Said once', 'Heard once']);
    assert.deepEqual(olga.problems, { pageErrors: [], dialogs: [] });
  });

  test('closing a page ends the chat for the partner at once', async () => {
    const { a: erin, b: frank } = await pair(browser, inviteLink, 'Erin', 'Frank');
    await frank.page.close();
    // At once: a page that went away without a word would be away for the resume window
    // (30 s) and then "lost their connection"; the wait here is a third of that.
    await erin.page.getByText('Frank left the conversation.').waitFor({ timeout: 10_000 });
    assert.deepEqual(erin.problems, { pageErrors: [], dialogs: [] });
  });
});

describe('A chat in the web client when the server cannot keep everything for an away member', () => {
  let server;
  let browser;
  let inviteLink;

  before(async () => {
    // Three events kept per member; pings so rare that a stalled connection goes unnoticed.
    server = await startServer({ args: ['--resume-buffer', '3', '--ping-interval', '60s'] });
    browser = await launchBrowser();
    const group = await createGroupOverHttp(server.baseUrl, { name: 'Hikers', description: 'Out of range at times.' });
    inviteLink = `${server.baseUrl}/join/${group.access_code}`;
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  test('a message refused for a partner who is away shows as not delivered, and Retry sends it once she is back', async () => {
    const { a: gina, b: hugo, aCable: ginaCable } = await pair(browser, inviteLink, 'Gina', 'Hugo', { cableFirst: true });
    await ginaCable.cut();
    await hugo.page.getByText("Gina's connection dropped — waiting").waitFor();
    const notDelivered = hugo.page.locator('.msg-outgoing').filter({ hasText: 'Not delivered.' });
    const sent = [];
    for (let n = 1; (await notDelivered.count()) === 0; n += 1) {
      assert.ok(n <= 5, 'the server refuses a message once her buffer is full');
      await sendMessage(hugo.page, 'Gina', `Hugo ${n}`);
      await hugo.page.locator('.msg-outgoing').filter({ hasText: 'Sending…' }).waitFor({ state: 'detached' });
      sent.push(`Hugo ${n}`);
    }
    const refused = sent.pop();
    assert.deepEqual(await transcript(hugo.page), sent, 'the refused one is not shown as delivered');
    await screenshotBothWidths(hugo.page, 'not-delivered');

    ginaCable.restore();
    await hugo.page.getByText("Gina's connection dropped — waiting").waitFor({ state: 'hidden', timeout: 20_000 });
    await notDelivered.getByRole('button', { name: 'Retry' }).click();
    await waitForMessage(gina.page, { own: false, text: refused });
    await waitForMessage(hugo.page, { own: true, text: refused });
    assert.equal(await hugo.page.locator('.msg-outgoing').count(), 0);
    assert.deepEqual(await transcript(gina.page), [...sent, refused]);
    assert.deepEqual(await transcript(hugo.page), [...sent, refused]);
  });

  test('a member who comes back after more was said than the server kept is told that some messages may be missing', async () => {
    const { a: ivy, b: jack, aCable: ivyCable } = await pair(browser, inviteLink, 'Ivy', 'Jack', { cableFirst: true });

    // Ivy's connection dies without anyone noticing: the server goes on writing into it,
    // keeping only the last three events, until it is cut.
    ivyCable.stall();
    const said = ['One', 'Two', 'Three', 'Four', 'Five'];
    for (const text of said) {
      await sendMessage(jack.page, 'Ivy', text);
      await waitForMessage(jack.page, { own: true, text });
    }
    await ivyCable.cut();
    await ivy.page.getByRole('status').getByText('Reconnecting…').waitFor();
    ivyCable.restore();

    await ivy.page.getByText('Some messages may be missing').waitFor({ timeout: 20_000 });
    await waitForMessage(ivy.page, { own: false, text: 'Five' });
    assert.deepEqual(await transcript(ivy.page), said.slice(-3));
    await assertStillChatting(ivy.page, 'Jack');
  });
});

describe('A chat in the web client when its connection goes silent', () => {
  let server;
  let browser;
  let inviteLink;

  before(async () => {
    // A ping every second: a silent connection is given up within two.
    server = await startServer({ args: ['--ping-interval', '1s', '--ping-timeout', '1s'] });
    browser = await launchBrowser();
    const group = await createGroupOverHttp(server.baseUrl, { name: 'Sailors', description: 'Talk between the waves.' });
    inviteLink = `${server.baseUrl}/join/${group.access_code}`;
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  test('a connection that stops delivering without closing is given up once pings go missing, and the chat resumes', async () => {
    const { a: kim, b: leo, aCable: kimCable } = await pair(browser, inviteLink, 'Kim', 'Leo', { cableFirst: true });
    // Nothing the server sends reaches Kim any more, pings included, and nobody closes
    // anything: the page notices (or the server does, whichever misses a ping first).
    kimCable.stall();
    await sendMessage(leo.page, 'Kim', 'Can you hear me?');
    await waitForMessage(leo.page, { own: true, text: 'Can you hear me?' });

    await waitForMessage(kim.page, { own: false, text: 'Can you hear me?' });
    await sendMessage(kim.page, 'Leo', 'Loud and clear');
    await waitForMessage(leo.page, { own: false, text: 'Loud and clear' });
    assert.deepEqual(await transcript(kim.page), ['Can you hear me?', 'Loud and clear']);
    assert.deepEqual(await transcript(leo.page), ['Can you hear me?', 'Loud and clear']);
    await assertStillChatting(kim.page, 'Leo');
    await assertStillChatting(leo.page, 'Kim');
  });
});
