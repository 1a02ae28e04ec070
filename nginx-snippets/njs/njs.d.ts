// The globals of njs 0.7.9 (nginx's JavaScript, Debian's libnginx-mod-http-js)
// that backsoon-hold.js uses, as tsconfig.njs.json checks the script: no DOM,
// no Node, ES5's built-ins and these. nginx never reads this file. (Under
// Node, in the script's unit test, Node's own Buffer and setTimeout serve.)
// https://nginx.org/en/docs/njs/reference.html#buffer
// https://nginx.org/en/docs/njs/reference.html#settimeout

/** The bytes of a body (a try's `responseBuffer`). */
interface Buffer {
  readonly length: number;
  equals(other: Buffer): boolean;
}

interface BufferConstructor {
  /** The UTF-8 bytes of `text`. */
  from(text: string): Buffer;
}

declare const Buffer: BufferConstructor;

/** Runs `callback` once, `delay` ms from now. */
declare function setTimeout(callback: () => void, delay: number): unknown;
