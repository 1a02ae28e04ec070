import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import hold from './backsoon-hold.js';
import { SNIPPETS } from '../../test-support/nginx.js';

// The hold's decisions, from the very file nginx runs (njs 0.7.9): pure
// functions of the variables' values, no nginx, no clock.

describe('parseDuration', () => {
  it('reads nginx time units, and bare numbers as seconds', () => {
    expect(hold.parseDuration('250ms', 1)).toBe(250);
    expect(hold.parseDuration('5s', 1)).toBe(5000);
    expect(hold.parseDuration('1.5s', 1)).toBe(1500);
    expect(hold.parseDuration('1m', 1)).toBe(60_000);
    expect(hold.parseDuration('7', 1)).toBe(7000);
    expect(hold.parseDuration(' 2s ', 1)).toBe(2000);
  });

  it('falls back on absent or malformed values', () => {
    for (const text of [undefined, '', 'soon', '5 sec', '-1s', '5h', '1e3'])
      expect(hold.parseDuration(text, 42)).toBe(42);
  });
});

describe('holdSettings', () => {
  it('defaults to a 5 s hold with a try every 500 ms', () => {
    expect(hold.holdSettings(undefined, undefined)).toEqual({ holdFor: 5000, every: 500 });
  });

  it('has the defaults that http/backsoon-hold.conf declares', () => {
    const conf = readFileSync(join(SNIPPETS, 'http/backsoon-hold.conf'), 'utf8');
    const declared = (name: string): string | undefined =>
      new RegExp(`^js_var \\$${name} (\\S+);$`, 'm').exec(conf)?.[1];
    expect(declared('backsoon_hold_for')).toBeDefined();
    expect(hold.holdSettings(declared('backsoon_hold_for'), declared('backsoon_hold_every'))).toEqual(
      hold.holdSettings(undefined, undefined),
    );
  });

  it('caps the hold at a minute, and the pace at 50 ms and at ten tries a hold', () => {
    expect(hold.holdSettings('10m', '1ms')).toEqual({ holdFor: 60_000, every: 6000 });
    expect(hold.holdSettings('200ms', '1ms')).toEqual({ holdFor: 200, every: 50 });
    expect(hold.holdSettings('0', '1s')).toEqual({ holdFor: 0, every: 1000 });
  });

  it('never tries a held request more than ten times, whatever the settings', () => {
    for (const [holdFor, every] of [
      ['5s', '50ms'],
      ['5s', '500ms'],
      ['1m', '100ms'],
      ['3s', '70ms'],
      ['0.5s', '1ms'],
    ] as const) {
      const settings = hold.holdSettings(holdFor, every);
      let tries = 0;
      for (
        let elapsed = 0, delay = hold.nextDelay(0, settings);
        delay >= 0;
        delay = hold.nextDelay(elapsed, settings)
      ) {
        elapsed += delay;
        tries += 1;
      }
      expect(tries, `${holdFor} every ${every}`).toBeLessThanOrEqual(10);
    }
  });
});

describe('neverConnected', () => {
  it('is true when every server of the last pass refused', () => {
    expect(hold.neverConnected('-')).toBe(true);
    expect(hold.neverConnected('-, -')).toBe(true);
    expect(hold.neverConnected('0.001 : -')).toBe(true);
  });

  it('is false once any server of the last pass took the connection', () => {
    expect(hold.neverConnected('0.000')).toBe(false);
    expect(hold.neverConnected('-, 0.002')).toBe(false);
    expect(hold.neverConnected('- : 0.001')).toBe(false);
  });

  it('is false when nothing was proxied', () => {
    expect(hold.neverConnected(undefined)).toBe(false);
    expect(hold.neverConnected('')).toBe(false);
  });
});

describe('lastStatus', () => {
  it('is the last pass’s last status, 502 or 504', () => {
    expect(hold.lastStatus('502')).toBe(502);
    expect(hold.lastStatus('502, 504')).toBe(504);
    expect(hold.lastStatus('504 : 502')).toBe(502);
  });

  it('is 502 for anything else', () => {
    expect(hold.lastStatus(undefined)).toBe(502);
    expect(hold.lastStatus('200')).toBe(502);
    expect(hold.lastStatus('-')).toBe(502);
  });
});

describe('mayHold', () => {
  it('holds GET and HEAD', () => {
    expect(hold.mayHold('GET', undefined, 'text/html', '900')).toBe(true);
    expect(hold.mayHold('HEAD', undefined, undefined, '900')).toBe(true);
  });

  it('never holds a form or any other method', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
      expect(hold.mayHold(method, undefined, 'text/html', '900')).toBe(false);
  });

  it('never holds an upgrade or an event stream, whose answers cannot be read whole', () => {
    expect(hold.mayHold('GET', 'websocket', undefined, '900')).toBe(false);
    expect(hold.mayHold('GET', undefined, 'text/event-stream', '900')).toBe(false);
    expect(hold.mayHold('GET', undefined, 'text/html, text/event-stream;q=0.1', '900')).toBe(true);
  });

  it('never holds a request over 8 KB, whose every try would cost nginx as much', () => {
    expect(hold.mayHold('GET', undefined, 'text/html', '8192')).toBe(true);
    expect(hold.mayHold('GET', undefined, 'text/html', '8193')).toBe(false);
    expect(hold.mayHold('GET', undefined, 'text/html', '21504')).toBe(false);
    expect(hold.mayHold('GET', undefined, 'text/html', undefined)).toBe(false);
    expect(hold.mayHold('GET', undefined, 'text/html', '')).toBe(false);
  });
});

describe('nextDelay', () => {
  const settings = { holdFor: 1000, every: 250 };

  it('waits `every` between tries', () => {
    expect(hold.nextDelay(0, settings)).toBe(250);
    expect(hold.nextDelay(500, settings)).toBe(250);
  });

  it('makes the last try when the hold ends, then stops', () => {
    expect(hold.nextDelay(900, settings)).toBe(100);
    expect(hold.nextDelay(1000, settings)).toBe(-1);
    expect(hold.nextDelay(1200, settings)).toBe(-1);
  });

  it('gives the tries of a whole hold', () => {
    const delays: number[] = [];
    let elapsed = 0;
    for (let delay = hold.nextDelay(elapsed, settings); delay >= 0; delay = hold.nextDelay(elapsed, settings)) {
      delays.push(delay);
      elapsed += delay;
    }
    expect(delays).toEqual([250, 250, 250, 250]);
  });

  it('does not hold at all with a zero hold', () => {
    expect(hold.nextDelay(0, { holdFor: 0, every: 250 })).toBe(-1);
  });
});
