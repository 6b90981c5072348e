// Turns error codes from acks, request_error and HTTP into sentences for the page.

const MESSAGES = {
  group_not_found: 'This group code is unknown or has expired. Check the code with whoever shared it.',
  invalid_access_code: 'That does not look like a group code. Check the code with whoever shared it.',
  group_closed: 'This group has been closed by its owner.',
  removed: 'You were removed from this group after reports from its members, so you cannot join it again.',
  invalid_reason: 'Choose one of the reasons offered for your report.',
  rate_limited: 'Too many attempts in a short time. Please wait a minute and try again.',
  invalid_name: 'That display name cannot be used. Use 1 to 40 characters, without special control characters.',
  not_in_room: 'That message could not be delivered: this conversation is over.',
  not_in_group: 'You are not in a group any more. Join one again to meet someone.',
  message_too_large: 'That message is too long to send.',
  forbidden: 'That action is not allowed.',
  unauthorized: 'Only the owner of this group can close it.',
  forbidden_owner: 'Only the owner of this group can close it.',
  network: 'Cannot reach the server. Check your connection and try again.',
  offline: 'Cannot reach the server right now. Check your connection and try again.',
  timeout: 'The server did not answer in time. Please try again.',
  disconnected: 'The connection dropped. Please try again.',
  payload_too_large: 'That is too long to send.',
  rounds_running: 'A series of rounds is already running in this group. Stop it first to start a new one.',
  no_rounds: 'No rounds are running in this group.',
  invalid_round_seconds: 'A round must last from 10 seconds to 60 minutes, in whole seconds.',
  invalid_break_seconds: 'A break must last from 0 to 600 seconds (10 minutes), in whole seconds.',
  invalid_rounds: 'The number of rounds must be a whole number from 1 to 50.',
};

/** A readable sentence for {code, message}; uses the server's text for codes we don't know. */
export function describeError(error, event = '') {
  const code = error && typeof error.code === 'string' ? error.code : '';
  if ((code === 'group_not_found' || code === 'group_closed') && event === 'next') {
    return 'This group is no longer open, so nobody new can be found in it.';
  }
  if (code === 'not_in_room' && (event === 'block' || event === 'report')) {
    return 'This conversation is already over here, so there is nobody to block or report.';
  }
  if (code === 'rate_limited' && event === 'message') {
    return 'You are sending messages faster than allowed. Wait a moment, then send again.';
  }
  if (MESSAGES[code]) return MESSAGES[code];
  const serverText = error && typeof error.message === 'string' ? error.message.trim() : '';
  if (code.startsWith('invalid_')) {
    return serverText ? `Please check what you entered: ${serverText}` : 'Please check what you entered.';
  }
  if (serverText) return serverText;
  return 'Something went wrong. Please try again.';
}
