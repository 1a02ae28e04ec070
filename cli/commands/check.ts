import { readFile, stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import {
  NGINX_OPTIONS,
  NGINX_OPTIONS_HELP,
  nginxTarget,
  parseCommandLine,
  stringOption,
  type Command,
} from '../command.js';
import { CliError } from '../errors.js';
import { checkConfig, formatReport, hasProblems } from '../nginx-check.js';
import { loadDump, NginxConfError } from '../nginx-conf.js';
import { explainNginxFailure } from '../nginx-errors.js';
import { dumpConfig, njsBuiltIn } from '../nginx-run.js';
import { turnsFindings } from '../nginx-install/turns-note.js';

const help = `Usage: backsoon check [--from FILE|-] [--nginx BIN] [-c FILE] [-p DIR]

Reads nginx's whole configuration (\`nginx -T\`) and reports, server block by
server block, what would silently fail: a server that passes requests to an
app without backsoon's include; a location whose own error_page hides
backsoon's; an earlier error_page for 502, 503 or 504; the page missing
from the root, or a stale .gz or .br copy of it; brotli_static on where
backsoon's form pages would get it; the hold include without nginx's
JavaScript module. With planned maintenance: a location that gives the app
the visitor's Cookie header, bypass cookie included (its effective
proxy_set_header Cookie, or HTTP_COOKIE param, is not $backsoon_app_cookie);
a staff token line not of the form "~^<token>\\z" 1;; maintenance.on set
where the server block has no maintenance include. Notes an older
backsoon's turns at a fixed rate (its limit_req_zone zone=backsoon_admit),
which the probe no longer uses. When nginx itself refuses the
configuration, says what backsoon's part in it means.

Exits with 0 when nothing is wrong, 1 when something is.

Options:
  --from FILE      read saved \`nginx -T\` output (- for standard input)
                   instead of running nginx
${NGINX_OPTIONS_HELP}
  -h, --help       this text
`;

function probe(path: string): { mtimeMs: number } | undefined {
  try {
    const info = statSync(path);
    return info.isFile() ? { mtimeMs: info.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

export const check: Command = {
  name: 'check',
  summary: "find what would silently fail in nginx's configuration",
  help,
  async run(args, io) {
    const { values, help: wantsHelp } = parseCommandLine(this, args, { from: { type: 'string' }, ...NGINX_OPTIONS });
    if (wantsHelp) {
      io.out(help);
      return 0;
    }
    const target = nginxTarget(values);
    const prefix = target.prefix;

    const from = stringOption(values, 'from');
    let dump: string;
    let builtIn = false;
    if (from !== undefined) {
      if (from !== '-' && !(await stat(from).catch(() => undefined)))
        throw new CliError(`--from ${from}: no such file`);
      dump = from === '-' ? await io.stdin() : await readFile(from, 'utf8');
      if (!dump.includes('# configuration file ')) {
        io.err(`${explainNginxFailure(dump).join('\n')}\n`);
        throw new CliError(
          `${from === '-' ? 'the input' : from} is not a successful \`nginx -T\` output: nothing to check`,
        );
      }
    } else {
      const result = dumpConfig(target);
      if (!result.ok) {
        io.out(`nginx refuses the configuration:\n${explainNginxFailure(result.messages).join('\n')}\n`);
        return 1;
      }
      dump = result.dump;
      builtIn = njsBuiltIn(target);
    }

    let tree;
    try {
      tree = loadDump(dump);
    } catch (error) {
      if (error instanceof NginxConfError) throw new CliError(`cannot read the configuration: ${error.message}`);
      throw error;
    }
    const report = checkConfig(tree, { probe, ...(prefix ? { prefix } : {}), njsBuiltIn: builtIn });
    report.global.push(...turnsFindings(tree));
    io.out(formatReport(report));
    return hasProblems(report) ? 1 : 0;
  },
};
