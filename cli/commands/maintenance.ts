import { parseCommandLine, stringOption, type Command } from '../command.js';
import {
  down as switchDown,
  maintenanceInfoJson,
  parseUntil,
  relativeTime,
  status as readStatus,
  up as switchUp,
} from '../maintenance.js';
import { PAGE_FOLDER } from '../install.js';
import { siteRoot } from './site-root.js';

const rootHelp = `  --root DIR       the server block's root (default: $BACKSOON_ROOT, or the
                   one root of nginx's server blocks that include backsoon)`;

const downHelp = `Usage: backsoon down [--message TEXT] [--until 15m|2h|ISO] [--root DIR]

Switches planned maintenance on: every request (but /__backsoon/ and
/.well-known/) gets the maintenance page with 503 and Retry-After, until
\`backsoon up\`. Staff get through (backsoon-staff.conf). Takes effect at
once, without a reload: it writes DIR/__backsoon/maintenance.json, then
the flag DIR/__backsoon/maintenance.on, each with a rename.

Options:
  --message TEXT   what the page says (up to 300 characters; shown as text)
  --until WHEN     the announced end: 15m, 2h, 1h30m from now, or a time with
                   its zone (2026-11-21T14:30:00Z); the page counts down to it
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
    const root = siteRoot(stringOption(values, 'root'), io);
    await switchDown(root, info);
    io.out(
      `Maintenance is on for ${root}${until ? `, announced until ${until.toISOString()} (${relativeTime(until.getTime(), now)})` : ''}.\n`,
    );
    io.out('Visitors get the maintenance page (503); switch it off with: backsoon up\n');
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
    const { values, help } = parseCommandLine(this, args, { root: { type: 'string' } });
    if (help) {
      io.out(upHelp);
      return 0;
    }
    const root = siteRoot(stringOption(values, 'root'), io);
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
    const { values, help } = parseCommandLine(this, args, { root: { type: 'string' } });
    if (help) {
      io.out(statusHelp);
      return 0;
    }
    const root = siteRoot(stringOption(values, 'root'), io);
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
