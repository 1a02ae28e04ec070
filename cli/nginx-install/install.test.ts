import { describe, expect, it } from 'vitest';
import type { Io } from '../command.js';
import { maybeReload } from './install.js';

function io(answer?: string): Io & { said: () => string; asked: string[] } {
  let out = '';
  const asked: string[] = [];
  return {
    out: (t) => void (out += t),
    err: (t) => void (out += t),
    now: () => 0,
    env: {},
    stdin: async () => '',
    interactive: answer !== undefined,
    ask: async (question) => {
      asked.push(question);
      return answer ?? '';
    },
    said: () => out,
    asked,
  };
}

// A configuration nginx cannot reload: the reload must not even be tried.
const target = { conf: '/nonexistent/nginx.conf' };

describe('maybeReload', () => {
  it('without --reload and without a terminal, reloads nothing and says how to', async () => {
    const quiet = io();
    expect(await maybeReload(target, { reload: false, yes: false }, quiet)).toBe(0);
    expect(quiet.asked).toEqual([]);
    expect(quiet.said()).toBe(
      'nginx was not reloaded: the changes take effect at the next reload (nginx -s reload -c /nonexistent/nginx.conf).\n',
    );
  });

  it('at a terminal, asks, and takes anything but yes for no', async () => {
    const no = io('n');
    expect(await maybeReload(target, { reload: false, yes: false }, no)).toBe(0);
    expect(no.asked).toEqual(['Reload nginx now (nginx -s reload -c /nonexistent/nginx.conf)? [y/N] ']);
    expect(no.said()).toContain('nginx was not reloaded');
  });

  it('with yes (or --reload), reloads, and says when nginx did not', async () => {
    const yes = io('y');
    expect(await maybeReload(target, { reload: false, yes: false }, yes)).toBe(1);
    expect(yes.said()).toContain('nginx did not reload (nginx -s reload -c /nonexistent/nginx.conf)');
  });
});
