import type { Disposable, Event } from '../../src/vscodeApi.ts';

/** The event pattern of VS Code: subscribe with a listener, get a Disposable back. */
export class Emitter<T> {
  readonly #listeners = new Set<(event: T) => unknown>();

  readonly event: Event<T> = (listener) => {
    this.#listeners.add(listener);
    return { dispose: () => this.#listeners.delete(listener) };
  };

  fire(event: T): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}

export function disposable(dispose: () => unknown = () => {}): Disposable {
  return { dispose };
}
