/**
 * The `backsoon` command: install and upgrade the page, switch planned
 * maintenance, make bypass tokens, check nginx's configuration, build a
 * branded page. No framework: node:util's parseArgs, one module per command
 * in commands/. Node-side code: it never reaches the browser's bundle.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command, Io } from './command.js';
import { build } from './commands/build.js';
import { check } from './commands/check.js';
import { install } from './commands/install.js';
import { down, status, up } from './commands/maintenance.js';
import { uninstall } from './commands/nginx-install.js';
import { token } from './commands/token.js';
import { CliError } from './errors.js';
import { packageManifest } from './paths.js';

export const COMMANDS: Command[] = [install, uninstall, down, up, status, token, check, build];

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: backsoon <command> [options]

An auto-returning 502/503/504 page for apps behind nginx.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`backsoon <command> --help\` for a command's options.
`;
}

/** Runs a command line (without "node backsoon"); resolves to the exit code. Never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  // Messages say whose they are: `backsoon down: …`, or `backsoon: …` before a command is known.
  let said = 'backsoon';
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.out(usage());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v') {
      io.out(`${packageManifest().version}\n`);
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new CliError(`unknown command: ${name}\n\n${usage()}`, 2);
    said = `backsoon ${command.name}`;
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`${said}: ${error.message.replace(/\n*$/, '\n')}`);
      return error.exitCode;
    }
    const { code, message } = error as NodeJS.ErrnoException;
    // The file system's refusals are the operator's to fix, not bugs: say them plainly.
    if (code && ['EACCES', 'EPERM', 'ENOENT', 'EROFS', 'ENOSPC', 'EXDEV', 'EBUSY'].includes(code)) {
      io.err(`${said}: ${message}\n`);
      return 1;
    }
    io.err(`${said}: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

/**
 * The process's own streams, clock and environment. A reader that stops
 * early (`backsoon install | head -1`) closes the pipe: the rest of the
 * output is dropped, quietly, and the command still finishes what it does
 * and exits with its own code, never with a stack trace about EPIPE.
 */
export function processIo(): Io {
  const closed = new Set<NodeJS.WriteStream>();
  const writer = (stream: NodeJS.WriteStream): ((text: string) => void) => {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      closed.add(stream);
    });
    return (text) => {
      if (!closed.has(stream)) stream.write(text);
    };
  };
  return {
    out: writer(process.stdout),
    err: writer(process.stderr),
    now: () => Date.now(),
    env: process.env,
    stdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
    ask: async (question) => {
      const readline = await import('node:readline/promises');
      const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await prompt.question(question);
      } finally {
        prompt.close();
      }
    },
  };
}

// Run when executed (the package's bin links here), not when imported by tests.
const invoked = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (invoked === realpathSync(fileURLToPath(import.meta.url))) {
  process.exitCode = await main(process.argv.slice(2), processIo());
}
