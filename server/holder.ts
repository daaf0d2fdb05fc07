/**
 * A value that is replaced whole (on reload) while readers keep the holder: they read `value`
 * each time they need it, so the next request sees the new one and nothing is patched in place.
 */
export class Holder<T> {
  constructor(public value: T) {}
}
