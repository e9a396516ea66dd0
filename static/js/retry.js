// How a queue on this phone retries: exponential backoff capped at 5 minutes, with jitter so
// phones that lost the server together do not come back together; and one pass at a time,
// another forced pass run straight after when asked for meanwhile, the next timed pass set
// for the earliest item due.

const FIRST_DELAY = 2000;
const MAX_DELAY = 5 * 60 * 1000;

export function backoff(attempts) {
  const delay = Math.min(MAX_DELAY, FIRST_DELAY * 2 ** attempts);
  return delay * (0.8 + Math.random() * 0.4);
}

// `pass(force)` sends what is due (everything when forced) and resolves to the time the next
// item falls due, or null. Returns `flush(force = true)`, which runs passes; `events` names
// the events emitted around them (`running`: true/false; `changed` after each run).
export function runner(pass, emit, events) {
  let running = null;
  let again = false;
  let timer = null;

  function flush(force = true) {
    if (running) {
      again = again || force;
      return running;
    }
    clearTimeout(timer);
    emit(events.running, true);
    running = (async () => {
      let forced = force;
      let next = null;
      do {
        again = false;
        next = await pass(forced);
        forced = true;
      } while (again);
      if (next !== null) timer = setTimeout(() => flush(false), Math.max(1000, next - Date.now()));
    })()
      .catch((error) => console.error(events.running, error))
      .finally(() => {
        running = null;
        emit(events.running, false);
        emit(events.changed);
      });
    return running;
  }
  return flush;
}
