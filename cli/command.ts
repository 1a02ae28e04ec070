import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors.js';
import type { NginxTarget } from './nginx-run.js';

/** What a command may touch besides the file system: its output, the clock, the environment. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  now: () => number;
  env: NodeJS.ProcessEnv;
  /** Standard input, read whole (for `check --from -`). */
  stdin: () => Promise<string>;
  /** Whether a person is at a terminal, who can be asked (`install --nginx` asks before it reloads nginx). */
  interactive?: boolean;
  /** Asks a question on the terminal and resolves to the answer. */
  ask?: (question: string) => Promise<string>;
}

export interface Command {
  name: string;
  /** One line, for `backsoon --help`. */
  summary: string;
  /** The whole `--help` text. */
  help: string;
  /** Runs the command; resolves to the exit code. @throws CliError for a failure it explains */
  run: (args: string[], io: Io) => Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * parseArgs, strict, with `--help` added; a wrong command line becomes a
 * CliError (exit 2) that names the mistake and shows the usage.
 */
export function parseCommandLine<O extends Options>(
  command: Pick<Command, 'name' | 'help'>,
  args: string[],
  options: O,
  allowPositionals = false,
): { values: Record<string, string | boolean | undefined>; positionals: string[]; help: boolean } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals,
    });
    const record = values as Record<string, string | boolean | undefined>;
    return { values: record, positionals, help: record.help === true };
  } catch (error) {
    throw new CliError(
      `${(error as Error).message.replace(/\. To specify a positional argument.*$/s, '')}\n\n${command.help}`,
      2,
    );
  }
}

/** A string option's value, or undefined. */
export function stringOption(values: Record<string, string | boolean | undefined>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The options that say which nginx to ask (`nginx -T`), shared by check, down, up and status. */
export const NGINX_OPTIONS = {
  nginx: { type: 'string' },
  conf: { type: 'string', short: 'c' },
  prefix: { type: 'string', short: 'p' },
} as const;

/** Their lines for `--help`. */
export const NGINX_OPTIONS_HELP = `  --nginx BIN      the nginx binary (default: nginx)
  -c, --conf FILE  nginx's main configuration (nginx -c)
  -p, --prefix DIR nginx's prefix (nginx -p): relative roots are under it,
                   and a server without root uses DIR/html
                   (default: /usr/share/nginx, Debian's)`;

/** The nginx to ask, from NGINX_OPTIONS' values. */
export function nginxTarget(values: Record<string, string | boolean | undefined>): NginxTarget {
  const target: NginxTarget = {};
  const bin = stringOption(values, 'nginx');
  const conf = stringOption(values, 'conf');
  const prefix = stringOption(values, 'prefix');
  if (bin) target.bin = bin;
  if (conf) target.conf = conf;
  if (prefix) target.prefix = prefix;
  return target;
}
