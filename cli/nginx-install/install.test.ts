import { describe, expect, it } from 'vitest';
import type { Io } from '../command.js';
import type { NginxContext } from './context.js';
import { formatPlan, maybeReload } from './install.js';
import type { Plan } from './plan.js';

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

describe('formatPlan', () => {
  const plan: Plan = {
    servers: [],
    edits: [],
    writes: [],
    dirs: [],
    roots: [],
    cannot: [],
    turns: true,
    notes: [
      'turns at a fixed rate (40r/s) from an older backsoon (/e/nginx.conf:3): the kit’s probe no longer uses this zone; it may be removed',
    ],
  };
  const context = { layout: { snippets: { dir: '/e/snippets/backsoon' } } } as Pick<NginxContext, 'layout'>;

  it('says turns follow the app’s own pace, with no number, and what an older backsoon left', () => {
    const said = formatPlan(plan, context, 'same', []);
    expect(said).toContain(
      "Turns to go back follow the app's own pace: each is the probe's request sent to the app past\nthe cache, a few at a time, granted as the app answers them (no number to set: see docs/at-scale.md).",
    );
    expect(said).toContain(`Notes:\n  - ${plan.notes[0]}`);
    expect(said).not.toMatch(/rate the install wrote|yours to tune/);
    expect(formatPlan({ ...plan, turns: false, notes: [] }, context, 'same', [])).not.toContain('Turns');
  });
});
