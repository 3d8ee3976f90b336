"""Waiting for htmx in browser tests: on htmx's own events, never on a fixed delay or on "no network
for 500 ms" (issue 13: a filter was missed on a loaded machine; CI once clicked a result while the
search's second request was still to be swapped in)."""

# Requests htmx has begun and not yet settled, aborted or given up on; and how many have settled.
# htmx 2 fires htmx:afterRequest before the swap, so "settled" is counted at htmx:afterSettle.
TRACKER = """() => {
  if (window.twgHtmx) return;
  const state = window.twgHtmx = {pending: 0, settled: 0};
  const done = () => { state.pending = Math.max(0, state.pending - 1); };
  document.body.addEventListener('htmx:beforeRequest', () => { state.pending += 1; });
  document.body.addEventListener('htmx:afterSettle', () => { done(); state.settled += 1; });
  for (const name of ['htmx:sendAbort', 'htmx:sendError', 'htmx:responseError', 'htmx:timeout', 'htmx:swapError']) {
    document.body.addEventListener(name, done);
  }
}"""


def after_htmx_settles(page, action):
    """Do `action` (a key press or click that makes htmx fetch and swap the results) and return once
    htmx has swapped and settled at least once since, with no request of its own pending (one key can
    start two: Enter in the search box is a change and a submit, the first aborted by the second)."""
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate(TRACKER)
    before = page.evaluate("() => window.twgHtmx.settled")
    action()
    page.wait_for_function("(before) => window.twgHtmx.settled > before && window.twgHtmx.pending === 0", arg=before)
