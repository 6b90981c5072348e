// Group rules travel as one string. Like the original front end, we send a
// JSON-encoded array of rule strings and parse it back when displaying.

/** Rule lines as typed -> the `rules` string sent to the server. */
export function encodeRules(lines) {
  const rules = lines.map((r) => r.trim()).filter((r) => r.length > 0);
  return rules.length === 0 ? '' : JSON.stringify(rules);
}

/**
 * The server's `rules` string -> {list} when it is a JSON array of strings,
 * {raw} for any other non-empty string, or {} when there are none.
 */
export function decodeRules(rules) {
  if (typeof rules !== 'string' || rules.trim() === '') return {};
  try {
    const parsed = JSON.parse(rules);
    if (Array.isArray(parsed)) {
      const list = parsed.filter((r) => typeof r === 'string' && r.trim() !== '');
      if (list.length === parsed.length) return list.length ? { list } : {};
    }
  } catch {
    // Not JSON: shown as written.
  }
  return { raw: rules };
}
