import { describe, expect, it } from 'vitest';
import { loadDump } from '../nginx-conf.js';
import { turnsFindings } from './turns-note.js';

const OLD_ZONE = 'limit_req_zone $backsoon_admit_key zone=backsoon_admit:1m rate=40r/s;';
const TURNS = 'limit_conn_zone $backsoon_admit_key zone=backsoon_turns:1m;';
const ADDRESS = 'limit_req_zone $backsoon_admit_address_key zone=backsoon_admit_address:10m rate=2r/s;';
const PROBE = 'server { location = /__backsoon/probe { proxy_pass http://127.0.0.1:8000/healthz; } }';

/** The findings of a configuration whose conf.d/backsoon-probe.conf is `probe`, with `http` in the http block. */
function findings(probe: string, http = ''): ReturnType<typeof turnsFindings> {
  const files: Record<string, string> = {
    '/e/nginx.conf': `events {}\nhttp { include /e/conf.d/*.conf;\n${http}\n}`,
    '/e/conf.d/backsoon-probe.conf': probe,
  };
  return turnsFindings(
    loadDump(
      Object.entries(files)
        .map(([p, t]) => `# configuration file ${p}:\n${t}\n`)
        .join(''),
    ),
  );
}

describe('turnsFindings', () => {
  it('notes an older backsoon’s turns at a fixed rate, wherever they are: reinstall, and remove the zone', () => {
    expect(findings(`# by hand\n${OLD_ZONE}\n${ADDRESS}`, PROBE)).toEqual([
      {
        level: 'note',
        message:
          "turns at a fixed rate from an older backsoon (/e/conf.d/backsoon-probe.conf:2 (included at /e/nginx.conf:2)): the kit's probe now paces turns by the app's own answers; reinstall (`backsoon install --nginx`) or replace the http file, and remove this zone",
      },
    ]);
    // Beside this version's window, the zone is left over: said all the same.
    const leftOver = findings(`${TURNS}\n${ADDRESS}`, `${OLD_ZONE}\n${PROBE}`);
    expect(leftOver.map((f) => f.level)).toEqual(['note']);
    expect(leftOver[0]!.message).toMatch(/^turns at a fixed rate from an older backsoon \(\/e\/nginx\.conf:3\)/);
  });

  it('says nothing of this version’s window, nor of the per-address zone', () => {
    expect(findings(`${TURNS}\n${ADDRESS}`, PROBE)).toEqual([]);
    expect(findings(ADDRESS)).toEqual([]);
  });

  it('notes a shared probe without the window’s zone (a location made otherwise than the kit’s)', () => {
    expect(findings(ADDRESS, PROBE)).toEqual([
      {
        level: 'note',
        message:
          "the shared probe (/e/nginx.conf:3) has no window of turns: the http block has no limit_conn_zone … zone=backsoon_turns, which this version's http/backsoon-probe.conf defines; copy it to conf.d/ or run `backsoon install --nginx`",
      },
    ]);
  });
});
