import { expect, it } from 'vitest';
import { loadDump } from '../nginx-conf.js';
import { rateFindings, WRITTEN_BY } from './rate-note.js';

const ZONE = 'limit_req_zone $backsoon_admit_key zone=backsoon_admit:1m rate=40r/s;';

it('check says the rate the install wrote is not measured, and is the operator’s to tune', () => {
  const files: Record<string, string> = {
    '/e/nginx.conf': 'events {}\nhttp { include /e/conf.d/*.conf; }',
    '/e/conf.d/backsoon-probe.conf': `${WRITTEN_BY} (backsoon 0.1.0) …\n${ZONE}`,
  };
  const tree = loadDump(
    Object.entries(files)
      .map(([p, t]) => `# configuration file ${p}:\n${t}\n`)
      .join(''),
  );
  expect(rateFindings(tree, (p) => files[p])).toEqual([
    {
      level: 'note',
      message:
        'turns to go back are granted at 40r/s (/e/conf.d/backsoon-probe.conf:2 (included at /e/nginx.conf:2)): a rate backsoon install wrote, not one measured on your app. It is yours to tune: a little under what the app serves in a second',
    },
  ]);
  files['/e/conf.d/backsoon-probe.conf'] = ZONE;
  expect(rateFindings(tree, (p) => files[p])[0]!.message).toMatch(
    /^turns to go back are granted at 40r\/s .*: keep it a little under/,
  );
});
