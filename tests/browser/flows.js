// What a person does in the web client, step by step, through labels and roles.

/** Opens the create form from the home page and fills it in, without submitting. */
export async function fillCreateForm(page, { name, description, rules = [], prompts = [] }) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Create a group' }).click();
  await page.getByRole('heading', { name: 'Create a group' }).waitFor();
  await page.getByLabel('Group name').fill(name);
  await page.getByLabel('Description').fill(description);
  await fillList(page, 'rule', rules);
  await fillList(page, 'prompt', prompts);
}

/** Types `items` into the create form's list of `noun`s, adding rows as needed. */
async function fillList(page, noun, items) {
  const Noun = noun[0].toUpperCase() + noun.slice(1);
  for (const [i, item] of items.entries()) {
    if (i > 0) await page.getByRole('button', { name: `Add a ${noun}` }).click();
    await page.getByLabel(`${Noun} ${i + 1}`, { exact: true }).fill(item);
  }
}

/** Submits the filled create form; resolves with {code, inviteLink}. */
export async function submitCreateForm(page) {
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.getByRole('heading', { name: 'Your group is ready' }).waitFor();
  const code = (await page.getByTestId('access-code').textContent()).trim();
  const inviteLink = await page.getByLabel('Invite link').inputValue();
  return { code, inviteLink };
}

/** Creates a group from the home page; resolves with {code, inviteLink}. */
export async function createGroup(page, group) {
  await fillCreateForm(page, group);
  return submitCreateForm(page);
}

/** Opens the invite link, checks the intro, and joins under `name`. */
export async function joinViaLink(page, inviteLink, name) {
  await page.goto(inviteLink);
  await page.getByRole('button', { name: 'Join the circle' }).waitFor();
  await page.getByLabel('Your display name').fill(name);
  await page.getByRole('button', { name: 'Join the circle' }).click();
}

/** Waits until the page shows a chat with `partner`. */
export async function waitForChatWith(page, partner) {
  await page.getByRole('heading', { name: `Talking with ${partner}` }).waitFor();
}

export async function waitUntilWaiting(page) {
  await page.getByRole('heading', { name: 'Waiting for someone to talk to…' }).waitFor();
}

/** Types a message and sends it with Enter, as a keyboard user would. */
export async function sendMessage(page, partner, text) {
  const input = page.getByLabel(`Message to ${partner}`);
  await input.fill(text);
  await input.press('Enter');
}

/** Waits for a message bubble (own or partner's) whose text is exactly `text`. */
export async function waitForMessage(page, { own, text }) {
  const bubble = page.locator(own ? '.msg-own' : '.msg-partner').filter({
    has: page.locator('.msg-text').getByText(text, { exact: true }),
  });
  await bubble.last().waitFor();
  return bubble.last();
}

/** The texts of the delivered messages in the chat log, in the order shown. */
export async function transcript(page) {
  return page.locator('.messages > :is(.msg-own, .msg-partner) .msg-text').allTextContents();
}
