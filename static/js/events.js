// Named events between modules: a module announces what happened, others listen.
// Listeners pass an AbortSignal so a screen drops its listeners when it is left.

const bus = new EventTarget();

export function emit(name, detail) {
  bus.dispatchEvent(new CustomEvent(name, { detail }));
}

export function on(name, handler, signal) {
  bus.addEventListener(name, (event) => handler(event.detail), { signal });
}
