import type { Finding } from '../nginx-check.js';
import { where, type Directive } from '../nginx-conf.js';
import { walk } from './servers.js';

/** The first line of the http files `backsoon install --nginx` writes. */
export const WRITTEN_BY = '# Written by `backsoon install --nginx`';

/**
 * What `backsoon check` says of the turns' rate: the one number the kit
 * needs that depends on the app. Until turns need no number, the install
 * writes one, and check says so, so that it is never taken for a measured
 * value.
 */
export function rateFindings(tree: Directive[], read: (path: string) => string | undefined): Finding[] {
  const findings: Finding[] = [];
  walk(tree, (d) => {
    if (d.name !== 'limit_req_zone' || !d.args.some((a) => a.startsWith('zone=backsoon_admit:'))) return;
    const rate = d.args.find((a) => a.startsWith('rate='))?.slice('rate='.length) ?? 'the default';
    const byInstall = read(d.file)?.startsWith(WRITTEN_BY) === true;
    findings.push({
      level: 'note',
      message: byInstall
        ? `turns to go back are granted at ${rate} (${where(d)}): a rate backsoon install wrote, not one measured on your app. It is yours to tune: a little under what the app serves in a second`
        : `turns to go back are granted at ${rate} (${where(d)}): keep it a little under what the app serves in a second`,
    });
  });
  return findings;
}
