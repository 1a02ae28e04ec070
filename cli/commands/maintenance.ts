import {
  NGINX_OPTIONS,
  NGINX_OPTIONS_HELP,
  nginxTarget,
  parseCommandLine,
  stringOption,
  type Command,
} from '../command.js';
import { CliError } from '../errors.js';
import {
  down as switchDown,
  maintenanceInfoJson,
  parseUntil,
  relativeTime,
  status as readStatus,
  up as switchUp,
} from '../maintenance.js';
import { PAGE_FOLDER } from '../install.js';
import { maintenanceServed } from '../nginx-check.js';
import { lazyReading, sameFolder, siteRoot } from './site-root.js';

const rootHelp = `  --root DIR       the server block's root (default: $BACKSOON_ROOT, or the
                   one root of nginx's server blocks that include backsoon)
${NGINX_OPTIONS_HELP}`;

const downHelp = `Usage: backsoon down [--message TEXT] [--until 15m|2h|ISO] [--root DIR] [--force]

Switches planned maintenance on: every request gets the maintenance page
with 503 and Retry-After, until \`backsoon up\`, but for backsoon's own
files (/__backsoon/), ACME's HTTP challenge
(/.well-known/acme-challenge/<token>, so that certificates renew) and the
paths the staff file keeps open. Staff get through (backsoon-staff.conf).
Takes effect at once, without a reload: it writes
DIR/__backsoon/maintenance.json, then the flag DIR/__backsoon/maintenance.on,
each with a rename.

First it reads nginx's configuration (\`nginx -T\`, as \`backsoon check\`
does) and refuses when no server block with that root includes
server/backsoon-maintenance.conf, or one includes server/backsoon.conf
without it: the flag would change nothing visitors see. When nginx cannot
be asked (not installed, or not run as root), it says so and goes on.

Options:
  --message TEXT   what the page says (up to 300 characters; shown as text)
  --until WHEN     the announced end: 15m, 2h, 1h30m from now, or a time with
                   its zone (2026-11-21T14:30:00Z); the page counts down to it
  --force          switch it on even when nginx would not show the page
${rootHelp}
  -h, --help       this text
`;

export const down: Command = {
  name: 'down',
  summary: 'switch planned maintenance on (503 and the maintenance page)',
  help: downHelp,
  async run(args, io) {
    const { values, help } = parseCommandLine(this, args, {
      message: { type: 'string' },
      until: { type: 'string' },
      root: { type: 'string' },
      force: { type: 'boolean' },
      ...NGINX_OPTIONS,
    });
    if (help) {
      io.out(downHelp);
      return 0;
    }
    const now = io.now();
    const message = stringOption(values, 'message');
    const untilText = stringOption(values, 'until');
    const until = untilText === undefined ? undefined : parseUntil(untilText, now);
    const info = message === undefined && until === undefined ? undefined : maintenanceInfoJson(message, until, now);
    const target = nginxTarget(values);
    const reading = lazyReading(target);
    const root = siteRoot(stringOption(values, 'root'), io, reading, target.prefix);

    // The flag alone shows nothing: nginx must have the maintenance include for this root.
    const config = reading();
    let verified = false;
    if (!config.tree) {
      io.err(`warning: not checked that nginx shows the maintenance page for ${root}: ${config.why}\n`);
    } else {
      const served = maintenanceServed(config.tree, root, {
        ...(target.prefix ? { prefix: target.prefix } : {}),
        sameRoot: sameFolder,
      });
      if (served.served) verified = true;
      else if (values.force === true) io.err(`warning: switched on anyway (--force), but ${served.why}\n`);
      else
        throw new CliError(
          `nothing switched on, since nginx would not show the maintenance page: ${served.why}\n\n(--force switches it on anyway.)`,
        );
    }
    await switchDown(root, info);
    io.out(
      `Maintenance is on for ${root}${until ? `, announced until ${until.toISOString()} (${relativeTime(until.getTime(), now)})` : ''}.\n`,
    );
    io.out(
      verified
        ? 'Visitors get the maintenance page (503); switch it off with: backsoon up\n'
        : 'Switch it off with: backsoon up\n',
    );
    return 0;
  },
};

const upHelp = `Usage: backsoon up [--root DIR]

Switches planned maintenance off: removes the flag, then the message.
Waiting visitors go back to their pages by themselves.

Options:
${rootHelp}
  -h, --help       this text
`;

export const up: Command = {
  name: 'up',
  summary: 'switch planned maintenance off',
  help: upHelp,
  async run(args, io) {
    const { values, help } = parseCommandLine(this, args, { root: { type: 'string' }, ...NGINX_OPTIONS });
    if (help) {
      io.out(upHelp);
      return 0;
    }
    const target = nginxTarget(values);
    const root = siteRoot(stringOption(values, 'root'), io, lazyReading(target), target.prefix);
    const wasOn = await switchUp(root);
    io.out(
      wasOn
        ? `Maintenance is off for ${root}: visitors go back by themselves.\n`
        : `Maintenance was not on for ${root}.\n`,
    );
    return 0;
  },
};

const statusHelp = `Usage: backsoon status [--root DIR]

Says whether planned maintenance is on, since when, and what the page says.

Options:
${rootHelp}
  -h, --help       this text
`;

export const status: Command = {
  name: 'status',
  summary: 'say whether planned maintenance is on, and what the page says',
  help: statusHelp,
  async run(args, io) {
    const { values, help } = parseCommandLine(this, args, { root: { type: 'string' }, ...NGINX_OPTIONS });
    if (help) {
      io.out(statusHelp);
      return 0;
    }
    const target = nginxTarget(values);
    const root = siteRoot(stringOption(values, 'root'), io, lazyReading(target), target.prefix);
    const now = io.now();
    const s = await readStatus(root, now);
    if (!s.installed)
      io.out(`The page is not installed in ${root}/${PAGE_FOLDER}/ (backsoon install --root ${root}).\n`);
    if (!s.since) {
      io.out(`Maintenance is off for ${root}.\n`);
      return 0;
    }
    io.out(
      `Maintenance is on for ${root}, since ${s.since.toISOString()} (${relativeTime(s.since.getTime(), now)}).\n`,
    );
    if (s.message) io.out(`  message: ${s.message}\n`);
    if (s.until) io.out(`  until:   ${s.until.toISOString()} (${relativeTime(s.until.getTime(), now)})\n`);
    if (s.infoIgnored)
      io.out('  maintenance.json has values the page ignores (malformed, too long, or an end out of range)\n');
    return 0;
  },
};
