import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCommandLine, stringOption, type Command } from '../command.js';
import { CliError } from '../errors.js';
import { includePath, installSnippets, PAGE_FOLDER } from '../install.js';
import { installRelease } from '../nginx-install/page-release.js';
import { packageManifest, packageRoot } from '../paths.js';
import { installNginx } from './nginx-install.js';
import { APP_COOKIE, PATHS, RELEASES_FOLDER } from '../../src/protocol.js';

/** Debian's folder for nginx snippets: the default target when it exists. */
export const DEBIAN_SNIPPETS = '/etc/nginx/snippets';

const help = `Usage: backsoon install --nginx [options]   (backsoon install --nginx --help)
       backsoon install --root DIR [--snippets DIR | --no-snippets] [--dist DIR]

With --nginx: installs backsoon in nginx's configuration itself, every
server block that passes pages to an app, and can undo it (uninstall).

With --root: only copies the files, and prints the lines to add by hand:

Copies the page to DIR/${PAGE_FOLDER}/ and nginx's snippets beside nginx's
configuration, or upgrades both in place: the page is a link to a release
in DIR/${RELEASES_FOLDER}/, and a new release is swapped in with one
rename, so a visitor never gets a half-copied page, nor nginx's own. An upgrade keeps maintenance.on and maintenance.json,
brand.css (yours to edit), files of your own (a logo, fonts) and the
service worker's kill switch.

Then prints the lines to add to nginx's configuration and the check to run.

Options:
  --root DIR       the server block's root, as in \`root /var/www/html;\`
  --snippets DIR   where the nginx snippets go
                   (default: ${DEBIAN_SNIPPETS}/backsoon when ${DEBIAN_SNIPPETS} exists)
  --no-snippets    leave the snippets alone
  --dist DIR       install this build instead of the package's own
                   (one made by \`backsoon build\`)
  -h, --help       this text
`;

export const install: Command = {
  name: 'install',
  summary: "install in nginx's configuration (--nginx), or copy the page and the snippets (--root)",
  help,
  async run(args, io) {
    if (args.includes('--nginx')) return installNginx.run(args, io);
    const { values, help: wantsHelp } = parseCommandLine(this, args, {
      root: { type: 'string' },
      snippets: { type: 'string' },
      'no-snippets': { type: 'boolean' },
      dist: { type: 'string' },
    });
    if (wantsHelp) {
      io.out(help);
      return 0;
    }
    const rootOption = stringOption(values, 'root');
    if (!rootOption)
      throw new CliError(
        `--nginx or --root is required: the install in nginx, or the folder nginx serves the site from\n\n${help}`,
        2,
      );
    if (values['no-snippets'] && stringOption(values, 'snippets'))
      throw new CliError('--snippets and --no-snippets exclude each other', 2);
    const root = resolve(rootOption);
    const pkg = packageRoot();
    const dist = resolve(stringOption(values, 'dist') ?? join(pkg, 'dist'));

    // A release swapped in with one rename: visitors never get nginx's own page during an upgrade.
    const page = await installRelease(dist, root);
    await page.commit();
    const version = packageManifest(pkg).version;
    io.out(
      `backsoon ${version}: the page is ${!page.changed ? 'already this build' : page.previous.kind === 'absent' ? 'installed' : 'upgraded in place'} in ${page.folder}/\n`,
    );
    if (page.kept.length > 0) io.out(`  kept from the previous install: ${page.kept.join(', ')}\n`);
    for (const note of page.notes) io.out(`  ${note}\n`);

    let snippets = stringOption(values, 'snippets');
    if (!snippets && !values['no-snippets'] && existsSync(DEBIAN_SNIPPETS))
      snippets = join(DEBIAN_SNIPPETS, 'backsoon');
    if (snippets) {
      snippets = resolve(snippets);
      const replaced = await installSnippets(join(pkg, 'nginx-snippets'), snippets);
      io.out(`  nginx snippets ${replaced ? 'upgraded' : 'installed'} in ${snippets}/\n`);
    } else {
      snippets = join(DEBIAN_SNIPPETS, 'backsoon');
      io.out(
        `  nginx snippets not copied${values['no-snippets'] ? '' : ` (no ${DEBIAN_SNIPPETS}/: give --snippets DIR)`}; the lines below assume ${snippets}/\n`,
      );
    }

    const server = includePath(snippets, 'server/backsoon.conf');
    const maintenance = includePath(snippets, 'server/backsoon-maintenance.conf');
    io.out(`
Add this line to every server block with \`root ${root};\` that passes
requests to an app (proxy_pass, fastcgi_pass, uwsgi_pass…):

    include ${server};

For planned maintenance (backsoon down / up), also this one, below it:

    include ${maintenance};

  and in every location that passes requests to the app, beside its other
  proxy_set_header lines, so that the app never sees the staff's bypass cookie
  (FastCGI, uwsgi: fastcgi_param / uwsgi_param HTTP_COOKIE ${APP_COOKIE};):

    proxy_set_header Cookie ${APP_COOKIE};

  and, once, the staff file for the http block (it is yours to edit: never overwritten):

    cp -n ${join(snippets, 'http/backsoon-staff.conf')} /etc/nginx/conf.d/

With many visitors waiting at once, the shared probe, so that their checks
never reach the app one each (docs/at-scale.md): once, for the http block
(turns to go back follow the app's own pace: there is no number to set;
replace a copy from an older backsoon, whose limit_req_zone has a rate for
them, zone=backsoon_admit: cp without -n),

    cp -n ${join(snippets, 'http/backsoon-probe.conf')} /etc/nginx/conf.d/

  and in the server block, with the app's address and a cheap path: it is
  asked once a second and once for each visitor's turn, so it must be
  answered at little cost by the app's own workers (the ones that serve its
  pages): a health view that touches nothing, or any path the app does not
  have (its 404 will do):

    location = ${PATHS.probe} {
        proxy_pass http://127.0.0.1:8000/healthz;
        include ${includePath(snippets, 'location/backsoon-probe.conf')};
    }

Then check, and reload:

    nginx -t && npx backsoon check && nginx -s reload
`);
    return 0;
  },
};
