import { existsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseCommandLine, stringOption, type Command } from '../command.js';
import { CliError } from '../errors.js';
import { REQUIRED_FILES, stagingFolder, swapFolder } from '../install.js';
import { packageManifest, packageRoot } from '../paths.js';

const help = `Usage: backsoon build [--config FILE] [--out DIR]

Builds the page with your brand, languages, strings and poll options
(backsoon.config.json: see docs/branding.md) into DIR, replacing a
previous build there as a whole. Install it with
\`backsoon install --dist DIR --root …\`.

The package carries the page's sources but not the build tools (Vite,
Lit, Workbox): the other commands need none of them. Install them beside
the package first, in a folder of your own:

    npm install backsoon <the tools this command names when they are missing>

Options:
  --config FILE   the config (default: backsoon.config.json in the current
                  folder, or none: the stock page)
  --out DIR       where the build goes (default: ./dist); must be absent,
                  empty, or an earlier build
  -h, --help      this text
`;

/** The folder of an installed package, looked up the way Node resolves it from `from`. */
function findPackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', name, 'package.json'))) return join(dir, 'node_modules', name);
    if (dirname(dir) === dir) return undefined;
  }
}

async function isEarlierBuildOrEmpty(dir: string): Promise<boolean> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) return true;
  if (!info.isDirectory()) return false;
  const entries = await readdir(dir);
  return entries.length === 0 || REQUIRED_FILES.every((file) => entries.includes(file));
}

export const build: Command = {
  name: 'build',
  summary: 'build a branded page from backsoon.config.json (needs the build tools)',
  help,
  async run(args, io) {
    const { values, help: wantsHelp } = parseCommandLine(this, args, {
      config: { type: 'string' },
      out: { type: 'string' },
    });
    if (wantsHelp) {
      io.out(help);
      return 0;
    }
    const pkg = packageRoot();
    const manifest = packageManifest(pkg);
    const tools = Object.entries(manifest.peerDependencies ?? {});
    const missing = tools.filter(([name]) => !findPackage(name, pkg));
    if (missing.length > 0) {
      throw new CliError(
        `the build tools are not installed beside backsoon (missing: ${missing.map(([n]) => n).join(', ')}). In a folder of your own:\n\n` +
          `    npm install backsoon@${manifest.version} ${tools.map(([n, range]) => `${n}@'${range}'`).join(' ')}\n    npx backsoon build ${args.join(' ')}\n`,
      );
    }
    if (!existsSync(join(pkg, 'vite.config.ts'))) throw new CliError(`${pkg} has no page sources to build from`);

    const configOption = stringOption(values, 'config');
    if (configOption !== undefined) {
      const config = resolve(configOption);
      if (!existsSync(config)) throw new CliError(`--config ${configOption}: no such file`);
      // Read by the build's config loader (vite-plugins/config.ts).
      process.env.BACKSOON_CONFIG = config;
    }
    const out = resolve(stringOption(values, 'out') ?? 'dist');
    if (!(await isEarlierBuildOrEmpty(out)))
      throw new CliError(`--out ${out} is neither empty nor an earlier build: it would be replaced as a whole`);

    const staging = await stagingFolder(out);
    try {
      const vite = await import('vite');
      await vite.build({
        root: pkg,
        configFile: join(pkg, 'vite.config.ts'),
        logLevel: 'warn',
        build: { outDir: staging, emptyOutDir: true },
      });
      await swapFolder(staging, out);
    } catch (error) {
      if (error instanceof CliError) throw error;
      // The config's own errors name the key that is wrong.
      throw new CliError(`the build failed: ${(error as Error).message}`);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    io.out(`Built into ${out}/. Install it with: backsoon install --dist ${out} --root <the server's root>\n`);
    return 0;
  },
};
