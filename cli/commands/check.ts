import { readFile, stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { parseCommandLine, stringOption, type Command } from '../command.js';
import { CliError } from '../errors.js';
import { checkConfig, formatReport, hasProblems } from '../nginx-check.js';
import { loadDump, NginxConfError } from '../nginx-conf.js';
import { explainNginxFailure } from '../nginx-errors.js';
import { dumpConfig, njsBuiltIn, type NginxTarget } from '../nginx-run.js';
import { readText } from '../nginx-install/context.js';
import { rateFindings } from '../nginx-install/rate-note.js';

const help = `Usage: backsoon check [--from FILE|-] [--nginx BIN] [-c FILE] [-p DIR]

Reads nginx's whole configuration (\`nginx -T\`) and reports, server block by
server block, what would silently fail: a server that passes requests to an
app without backsoon's include; a location whose own error_page hides
backsoon's; an earlier error_page for 502, 503 or 504; the page missing
from the root, or a stale .gz copy of it; a bypass token too long for
nginx's map; the hold include without nginx's JavaScript module. When nginx
itself refuses the configuration, says what backsoon's part in it means.

Exits with 0 when nothing is wrong, 1 when something is.

Options:
  --from FILE      read saved \`nginx -T\` output (- for standard input)
                   instead of running nginx
  --nginx BIN      the nginx binary (default: nginx)
  -c, --conf FILE  nginx's main configuration (nginx -c)
  -p, --prefix DIR nginx's prefix (nginx -p): relative roots are under it,
                   and a server without root uses DIR/html
                   (default: /usr/share/nginx, Debian's)
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
    const { values, help: wantsHelp } = parseCommandLine(this, args, {
      from: { type: 'string' },
      nginx: { type: 'string' },
      conf: { type: 'string', short: 'c' },
      prefix: { type: 'string', short: 'p' },
    });
    if (wantsHelp) {
      io.out(help);
      return 0;
    }
    const target: NginxTarget = {};
    const bin = stringOption(values, 'nginx');
    const conf = stringOption(values, 'conf');
    const prefix = stringOption(values, 'prefix');
    if (bin) target.bin = bin;
    if (conf) target.conf = conf;
    if (prefix) target.prefix = prefix;

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
    report.global.push(...rateFindings(tree, readText));
    io.out(formatReport(report));
    return hasProblems(report) ? 1 : 0;
  },
};
