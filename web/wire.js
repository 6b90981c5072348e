// The Socket.IO v5 packets this client speaks (no binary, namespace "/"), each carried in
// an Engine.IO message packet ("4" + packet, engine.js):
//
//   0                 connect to namespace "/" (answer: 0{"sid":..})
//   1                 disconnect
//   2["ev",data]      event;  2<id>["ev",data] asks for an ack
//   3<id>[data]       ack reply
//   4{..}             connect error
//
// A resumable member's events carry one extra trailing argument {"seq": n}
// (docs/protocol.md section 6); parseEvent separates it from the payload.

export const SIO_CONNECT = '0';
export const SIO_DISCONNECT = '1';
export const SIO_EVENT = '2';
export const SIO_ACK = '3';
export const SIO_CONNECT_ERROR = '4';

/** Splits a Socket.IO packet body (after the type digit) into ack id and JSON data. */
export function parseSocketIoBody(body) {
  let rest = body;
  if (rest.startsWith('/')) {
    // Namespace other than "/": "/chat,<rest>". We only use "/".
    const comma = rest.indexOf(',');
    rest = comma === -1 ? '' : rest.slice(comma + 1);
  }
  const digits = /^\d+/.exec(rest);
  const id = digits ? Number(digits[0]) : null;
  if (digits) rest = rest.slice(digits[0].length);
  let data;
  if (rest.length > 0) {
    try {
      data = JSON.parse(rest);
    } catch {
      data = undefined;
    }
  }
  return { id, data };
}

/**
 * An event packet's arguments as {event, payload, seq}: seq is the number of a trailing
 * {"seq": n} argument, or null when the event has none. Returns null for a malformed event.
 */
export function parseEvent(args) {
  if (!Array.isArray(args) || typeof args[0] !== 'string') return null;
  const last = args[args.length - 1];
  const seq = args.length >= 3 && isSeqArgument(last) ? last.seq : null;
  return { event: args[0], payload: args[1], seq };
}

function isSeqArgument(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Number.isSafeInteger(value.seq) &&
    value.seq > 0 &&
    Object.keys(value).length === 1
  );
}

/** The Socket.IO packet of an event, with an ack id when one is given. */
export function encodeEvent(event, payload, ackId = null) {
  const args = payload === undefined ? [event] : [event, payload];
  return SIO_EVENT + (ackId === null ? '' : ackId) + JSON.stringify(args);
}
