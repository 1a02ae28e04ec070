import { join, resolve } from 'node:path';
import { parseCommandLine, stringOption, type Command } from '../command.js';
import { CliError } from '../errors.js';
import type { NginxTarget } from '../nginx-run.js';
import { runInstall } from '../nginx-install/install.js';
import { DEFAULT_HEALTH } from '../nginx-install/probe-target.js';
import { runUninstall } from '../nginx-install/uninstall.js';
import { packageManifest, packageRoot } from '../paths.js';

const targetHelp = `  --nginx-bin BIN   the nginx binary (default: nginx)
  -c, --conf FILE   nginx's main configuration (nginx -c)
  -p, --prefix DIR  nginx's prefix (nginx -p)
  --state DIR       the install's record and backups
                    (default: backsoon-install/ beside nginx.conf)`;

const installHelp = `Usage: backsoon install --nginx [--dry-run] [--reload] [--yes] [--health PATH]
                        [--no-probe] [--no-hold] [--dist DIR]

Reads nginx's whole configuration (nginx -T) and, in every server block
that passes pages to an app (proxy_pass, uwsgi_pass, fastcgi_pass,
scgi_pass; upstream blocks, unix sockets and variables included), installs
backsoon: the page under the block's root, the crash pages, planned
maintenance with the staff bypass (the app never sees the bypass cookie),
the shared probe pointed at the block's own app over its own protocol with
its turns to go back, and the hold where nginx's JavaScript module is
loaded. The http block's files go where the http block reads files
(conf.d/ on Debian and nginx.org's packages; on a nginx.conf without such
a folder, one include line), with every folder they need.

Every line it adds to a file ends with "# added by backsoon". It prints
what it changes (the diff), keeps a backup of every file it edits, runs
nginx -t, and on any failure puts every file back as it was and says why.
Run twice, the second run changes nothing and says so. Run with a newer
backsoon, it upgrades the snippets and the page (a new release swapped in
with one rename: visitors never get nginx's own page).

It reloads nginx only with --reload or --yes, or when you say yes at the
terminal: systemctl reload nginx where systemd runs nginx, else
nginx -s reload.

Turns to go back follow the app's own pace: a turn is the probe's own
request sent to the app past the cache, a few at a time, granted as the
app answers it, so there is no number to set. The path the probe asks is
asked once a second and once for each turn: it must be cheap, and answered
by the app's own workers (the queue its pages wait in).

Options:
  --dry-run         print the changes and the diff, change nothing
  --reload          reload nginx after a successful install
  -y, --yes         answer yes (reload nginx)
  --health PATH     the path the probe and its turns ask the app, as the app
                    sees it (default: ${DEFAULT_HEALTH}, a path your app
                    does not have: its cheap 404 is enough; name a health
                    view that touches nothing, answered by the same workers
                    as your pages. Under the location's prefix for an app
                    not at /; PHP's index script over FastCGI)
  --no-probe        no shared probe (each waiting page asks its own URL:
                    fine for a few visitors, not for thousands)
  --no-hold         no hold, even where nginx's JavaScript module is loaded
  --dist DIR        install this build instead of the package's own
${targetHelp}
  -h, --help        this text

Undo it with: backsoon uninstall --nginx
`;

const uninstallHelp = `Usage: backsoon uninstall --nginx [--dry-run] [--reload] [--yes]

Takes out what \`backsoon install --nginx\` put in. A file you have not
changed since goes back to its backup, byte for byte; one you changed loses
only the lines that end with "# added by backsoon". The files the install
wrote go, or, once you edited them (the staff file with your tokens), are
kept beside as NAME.kept, where nginx no longer reads them. The page's
folder keeps what is yours (an edited brand.css, files of your own) and a
maintenance in progress, and says so; with maintenance on it goes ahead
only with --yes. nginx -t runs before anything is final; on a failure every
file is put back.

Options:
  --dry-run         print the changes and the diff, change nothing
  --reload          reload nginx afterwards
  -y, --yes         go ahead during maintenance, and reload nginx
${targetHelp}
  -h, --help        this text
`;

const targetOptions = {
  'nginx-bin': { type: 'string' },
  conf: { type: 'string', short: 'c' },
  prefix: { type: 'string', short: 'p' },
  state: { type: 'string' },
} as const;

function targetOf(values: Record<string, string | boolean | undefined>): NginxTarget {
  const target: NginxTarget = {};
  const bin = stringOption(values, 'nginx-bin');
  const conf = stringOption(values, 'conf');
  const prefix = stringOption(values, 'prefix');
  if (bin) target.bin = bin;
  if (conf) target.conf = resolve(conf);
  if (prefix) target.prefix = resolve(prefix);
  return target;
}

/** `backsoon install --nginx`, run by the install command when --nginx is given. */
export const installNginx: Command = {
  name: 'install',
  summary: "install backsoon in nginx's configuration, every server block that passes pages to an app",
  help: installHelp,
  async run(args, io) {
    const { values, help } = parseCommandLine(this, args, {
      nginx: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      reload: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      health: { type: 'string' },
      'no-probe': { type: 'boolean' },
      'no-hold': { type: 'boolean' },
      dist: { type: 'string' },
      ...targetOptions,
    });
    if (help) {
      io.out(installHelp);
      return 0;
    }
    const health = stringOption(values, 'health');
    if (health !== undefined && !/^\/[^\s;{}#"'\\]*$/.test(health))
      throw new CliError(`--health ${health}: give a path that starts with / (no spaces, quotes or ;)`, 2);
    const pkg = packageRoot();
    const state = stringOption(values, 'state');
    return runInstall(
      {
        target: targetOf(values),
        dist: resolve(stringOption(values, 'dist') ?? join(pkg, 'dist')),
        snippetsSource: join(pkg, 'nginx-snippets'),
        version: packageManifest(pkg).version,
        dryRun: values['dry-run'] === true,
        reload: values.reload === true,
        yes: values.yes === true,
        probe: values['no-probe'] !== true,
        hold: values['no-hold'] !== true,
        health,
        state: state ? resolve(state) : undefined,
      },
      io,
    );
  },
};

export const uninstall: Command = {
  name: 'uninstall',
  summary: 'take out of nginx what `install --nginx` put in',
  help: uninstallHelp,
  async run(args, io) {
    const { values, help } = parseCommandLine(this, args, {
      nginx: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      reload: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      ...targetOptions,
    });
    if (help) {
      io.out(uninstallHelp);
      return 0;
    }
    if (values.nginx !== true)
      throw new CliError(`say which server: --nginx (the only one the command edits)\n\n${uninstallHelp}`, 2);
    const state = stringOption(values, 'state');
    return runUninstall(
      {
        target: targetOf(values),
        dryRun: values['dry-run'] === true,
        reload: values.reload === true,
        yes: values.yes === true,
        state: state ? resolve(state) : undefined,
        version: packageManifest().version,
      },
      io,
    );
  },
};
