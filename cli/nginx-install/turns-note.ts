import type { Finding } from '../nginx-check.js';
import { where, type Directive } from '../nginx-conf.js';
import { NGINX_NAMES, PATHS } from '../../src/protocol.js';
import { walk } from './servers.js';

/**
 * The turns to go back, as `backsoon check` and the install read them. A
 * turn is the shared probe's own request, sent to the app past the cache,
 * a few at a time (limit_conn, zone backsoon_turns): the app's own answers
 * pace them, so there is no number to set or to check. An older backsoon
 * granted them at a fixed rate instead (limit_req, zone backsoon_admit),
 * which the kit's probe no longer uses.
 */

/** The zone that counts the turns at once: http/backsoon-probe.conf's limit_conn_zone. */
export const TURNS_ZONE = NGINX_NAMES.turnsZone;
/** The zone of the turns at a fixed rate, in an older backsoon's http/backsoon-probe.conf. */
export const OLD_RATE_ZONE = 'backsoon_admit';

/** Whether a directive defines the turns' zone (`limit_conn_zone … zone=backsoon_turns:…`). */
export function definesTurns(d: Directive): boolean {
  return d.name === 'limit_conn_zone' && d.args.some((a) => a.startsWith(`zone=${TURNS_ZONE}:`));
}

/** Whether a directive is an older backsoon's rate of turns (`limit_req_zone … zone=backsoon_admit:…`). */
export function isOldRateZone(d: Directive): boolean {
  return d.name === 'limit_req_zone' && d.args.some((a) => a.startsWith(`zone=${OLD_RATE_ZONE}:`));
}

/**
 * What `backsoon check` says of the turns: an older backsoon's rate zone
 * still in the configuration, or a shared probe without the window's zone
 * (which nginx -t refuses with this version's location snippets: only a
 * location made otherwise gets here).
 */
export function turnsFindings(tree: Directive[]): Finding[] {
  const findings: Finding[] = [];
  let turns = false;
  let probe: Directive | undefined;
  walk(tree, (d) => {
    if (definesTurns(d)) turns = true;
    if (!probe && d.name === 'location' && d.args.at(-1) === PATHS.probe) probe = d;
    if (isOldRateZone(d))
      findings.push({
        level: 'note',
        message: `turns at a fixed rate from an older backsoon (${where(d)}): the kit's probe now paces turns by the app's own answers; reinstall (\`backsoon install --nginx\`) or replace the http file, and remove this zone`,
      });
  });
  if (probe && !turns && findings.length === 0)
    findings.push({
      level: 'note',
      message: `the shared probe (${where(probe)}) has no window of turns: the http block has no limit_conn_zone … zone=${TURNS_ZONE}, which this version's http/backsoon-probe.conf defines; copy it to conf.d/ or run \`backsoon install --nginx\``,
    });
  return findings;
}
