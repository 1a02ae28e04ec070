import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Io } from '../command.js';
import { CliError } from '../errors.js';
import { explainNginxFailure } from '../nginx-errors.js';
import type { NginxTarget } from '../nginx-run.js';
import { isDir, readNginx, readText, realPath, type NginxContext } from './context.js';
import { reload, reloadHint, testConfig } from './control.js';
import { unifiedDiff } from './diff.js';
import { installRelease, pageState, buildManifest, type ReleaseResult } from './page-release.js';
import { planInstall, sha256, type InstallOptions, type Plan } from './plan.js';
import { backupPath, emptyRecord, RECORD_FILE, type InstallRecord } from './record.js';
import { installSnippets, snippetsUpToDate } from './snippets.js';
import { holdSignals, Transaction } from './transaction.js';
import { KIT_FOLDER } from '../../src/protocol.js';

/**
 * `backsoon install --nginx`: reads nginx's configuration, plans the
 * kit's lines for every server block that passes pages to an app, shows
 * them, then applies them in one transaction (backups, `nginx -t`, a
 * rollback of every file on any failure) and reloads nginx when asked.
 */

export interface RunInstallOptions extends InstallOptions {
  target: NginxTarget;
  dist: string;
  /** The package's nginx-snippets/ folder. */
  snippetsSource: string;
  version: string;
  dryRun: boolean;
  /** Reload without asking. */
  reload: boolean;
  /** Answer yes to the questions (the reload). */
  yes: boolean;
  state: string | undefined;
}

type PageStatus = { root: string; status: 'new' | 'upgrade' | 'same' | 'from a folder'; servers: string[] };

/** Whether the page under a root already is this build, as a link (nothing to do). */
async function pageStatus(dist: string, root: string): Promise<PageStatus['status']> {
  const state = await pageState(root).catch(() => undefined);
  if (!state || state.kind === 'absent') return 'new';
  if (state.kind === 'folder') return 'from a folder';
  if (!state.folder) return 'new';
  for (const [file, hash] of Object.entries(await buildManifest(dist))) {
    if (file === 'brand.css' || file === 'sw.js') continue;
    const bytes = await readFile(join(state.folder, file)).catch(() => undefined);
    if (!bytes || sha256(bytes) !== hash) return 'upgrade';
  }
  return 'same';
}

/** The report of a plan: server blocks, files, what could not be done, and the diff. */
export function formatPlan(
  plan: Plan,
  context: Pick<NginxContext, 'layout'>,
  snippets: 'same' | 'upgrade' | 'new',
  pages: PageStatus[],
): string {
  const out: string[] = ['Server blocks:'];
  for (const server of plan.servers) {
    out.push(`  ${server.title}, ${server.at}`);
    for (const line of server.said) out.push(`    ${line}`);
  }
  out.push('', 'Changes:');
  const changes: string[] = [];
  for (const edit of plan.edits) {
    const added = edit.after.split('\n').length - edit.before.split('\n').length;
    const via = edit.names.filter((n) => n !== edit.path);
    changes.push(
      `  edit    ${edit.path}${via.length > 0 ? ` (read as ${via.join(', ')})` : ''}: ${added} line(s) added`,
    );
  }
  for (const write of plan.writes) {
    if (write.state === 'same') continue;
    const verb = { new: 'new    ', upgrade: 'upgrade', yours: 'keep   ', same: '' }[write.state];
    changes.push(
      `  ${verb} ${write.path}: ${write.what}${write.state === 'yours' ? ' (edited by you: left as it is)' : ''}`,
    );
  }
  for (const dir of plan.dirs) changes.push(`  mkdir   ${dir}`);
  if (snippets !== 'same')
    changes.push(
      `  ${snippets === 'new' ? 'new    ' : 'upgrade'} ${context.layout.snippets.dir}/ (the kit's snippets)`,
    );
  for (const page of pages) {
    if (page.status === 'same') continue;
    changes.push(
      `  page    ${join(page.root, KIT_FOLDER)}: ${
        {
          new: 'the page, as a link to its release',
          upgrade: 'upgraded: a new release, swapped in with one rename',
          'from a folder': 'the folder becomes a link to a release (your files kept)',
        }[page.status]
      }`,
    );
  }
  out.push(...(changes.length > 0 ? changes : ['  none']));
  if (plan.turns)
    out.push(
      '',
      "Turns to go back follow the app's own pace: each is the probe's request sent to the app past",
      'the cache, a few at a time, granted as the app answers them (no number to set: see docs/at-scale.md).',
    );
  if (plan.notes.length > 0) {
    out.push('', 'Notes:');
    for (const line of plan.notes) out.push(`  - ${line}`);
  }
  if (plan.cannot.length > 0) {
    out.push('', 'Not handled (the command does not guess):');
    for (const line of plan.cannot) out.push(`  - ${line}`);
  }
  const diffs = plan.edits.map((e) => unifiedDiff(e.path, `${e.path} (with backsoon)`, e.before, e.after)).join('');
  if (diffs) out.push('', diffs.trimEnd());
  return `${out.join('\n')}\n`;
}

/** Whether the plan changes nothing. */
function nothingToDo(plan: Plan, snippets: string, pages: PageStatus[]): boolean {
  return (
    plan.edits.length === 0 &&
    plan.dirs.length === 0 &&
    plan.writes.every((w) => w.state === 'same' || w.state === 'yours') &&
    snippets === 'same' &&
    pages.every((p) => p.status === 'same')
  );
}

/** Asks whether to reload, on a terminal; elsewhere says how. */
export async function maybeReload(
  target: NginxTarget,
  options: { reload: boolean; yes: boolean },
  io: Io,
): Promise<number> {
  let go = options.reload || options.yes;
  if (!go && io.interactive && io.ask) {
    const answer = await io.ask(`Reload nginx now (${reloadHint(target).split(' (')[0]})? [y/N] `);
    go = /^y(es)?$/i.test(answer.trim());
  }
  if (!go) {
    io.out(`nginx was not reloaded: the changes take effect at the next reload (${reloadHint(target)}).\n`);
    return 0;
  }
  const result = reload(target);
  if (!result.ok) {
    io.err(`${result.messages.trim()}\n`);
    io.out(`nginx did not reload (${result.how}): the configuration is tested; start nginx, or reload it.\n`);
    return 1;
  }
  io.out(`nginx reloaded (${result.how}).\n`);
  return 0;
}

export async function runInstall(options: RunInstallOptions, io: Io): Promise<number> {
  const context = await readNginx(options.target, options.state, io);
  const { layout, record } = context;
  const plan = planInstall({
    tree: context.tree,
    dump: context.dump,
    layout,
    servers: context.servers,
    options,
    realPath,
    read: readText,
    isDir,
    snippet: (relative) => readFileSync(join(options.snippetsSource, relative), 'utf8'),
    written: (path) => record?.files.find((f) => f.path === path)?.sha256,
    version: options.version,
  });
  const snippets = plan.roots.length > 0 ? await snippetsUpToDate(options.snippetsSource, layout.snippets.dir) : 'same';
  const pages: PageStatus[] = [];
  for (const root of plan.roots) {
    const rootExists = isDir(root.path);
    pages.push({
      root: root.path,
      servers: root.servers,
      status: rootExists ? await pageStatus(options.dist, root.path) : 'new',
    });
  }

  io.out(`backsoon ${options.version}: install on nginx (${layout.main})\n\n`);
  io.out(formatPlan(plan, context, snippets, pages));
  if (plan.roots.length === 0) {
    io.out('\nNo server block passes pages to an app: nothing to install.\n');
    return plan.cannot.length > 0 ? 1 : 0;
  }
  if (nothingToDo(plan, snippets, pages)) {
    io.out('\nNothing to do: every server block above has the kit, and every file is up to date.\n');
    return 0;
  }
  if (options.dryRun) {
    io.out('\nDry run: nothing was changed. Run it again without --dry-run to make these changes.\n');
    return 0;
  }

  const tx = new Transaction();
  const releases: ReleaseResult[] = [];
  const resume = holdSignals((text) => io.err(text));
  try {
    const next: InstallRecord = record ? structuredClone(record) : emptyRecord(options.version);
    next.version = options.version;
    const snippetsExisted = isDir(layout.snippets.dir);
    try {
      await tx.mkdir(layout.state, 0o700);
      for (const dir of plan.dirs) await tx.mkdir(dir);
      if (snippets !== 'same') await installSnippets(options.snippetsSource, layout.snippets.dir, tx);
      for (const write of plan.writes) {
        if (write.state !== 'new' && write.state !== 'upgrade') continue;
        await tx.write(write.path, write.content, 0o644);
        next.files = next.files.filter((f) => f.path !== write.path);
        next.files.push({ path: write.path, sha256: sha256(write.content) });
      }
      for (const edit of plan.edits) {
        const known = next.edits.find((e) => e.path === edit.path);
        if (!known) {
          const backup = backupPath(layout.state, edit.path);
          await tx.mkdir(dirname(backup), 0o700);
          await tx.write(backup, edit.before, 0o600);
          next.edits.push({ path: edit.path, backup, original: sha256(edit.before), installed: sha256(edit.after) });
        } else {
          known.installed = sha256(edit.after);
        }
        // The edited file keeps its mode and owner (Transaction.write).
        await tx.write(edit.path, edit.after);
      }
      const tested = testConfig(options.target);
      if (!tested.ok) {
        const failed = await tx.rollback();
        io.err(
          `nginx -t refuses the configuration with backsoon's lines:\n${explainNginxFailure(tested.messages).join('\n')}\n`,
        );
        if (failed.length > 0)
          throw new CliError(`nginx -t failed, and some changes could not be undone:\n  ${failed.join('\n  ')}`);
        throw new CliError('nginx -t failed: every file is back as it was before the command (nothing was reloaded)');
      }
      io.out('\nnginx -t: the configuration with backsoon is valid.\n');
      for (const page of pages) {
        if (page.status === 'same') continue;
        await tx.mkdir(page.root);
        const release = await installRelease(options.dist, page.root);
        releases.push(release);
        await tx.step(`put back the page of ${page.root}`, async () => {}, release.undo, release.commit);
      }
      next.dirs = [
        ...new Set([
          ...next.dirs,
          ...tx.createdDirs.filter((d) => d !== layout.state && !d.startsWith(`${layout.state}/`)),
        ]),
      ];
      next.snippets = next.snippets ?? { dir: layout.snippets.dir, created: !snippetsExisted };
      next.roots = [...new Set([...next.roots, ...plan.roots.map((r) => r.path)])];
      // An older install's record kept the rate of turns it wrote: turns have no rate now.
      delete (next as InstallRecord & { rate?: unknown }).rate;
      await mkdir(layout.state, { recursive: true, mode: 0o700 });
      await tx.write(join(layout.state, RECORD_FILE), `${JSON.stringify(next, null, 2)}\n`, 0o600);
    } catch (error) {
      if (!(error instanceof CliError && /nginx -t failed/.test(error.message))) {
        const failed = await tx.rollback();
        io.err(`the install failed: ${(error as Error).message}\n`);
        if (failed.length > 0) throw new CliError(`and some changes could not be undone:\n  ${failed.join('\n  ')}`);
        throw new CliError('every file is back as it was before the command');
      }
      throw error;
    }
    await tx.commit();
  } finally {
    resume();
  }

  for (const release of releases) {
    if (!release.changed) continue;
    io.out(`The page is ${release.previous.kind === 'absent' ? 'installed' : 'upgraded'} in ${release.folder}/`);
    io.out(release.kept.length > 0 ? ` (kept from before: ${release.kept.join(', ')})\n` : '\n');
    for (const note of release.notes) io.out(`  ${note}\n`);
  }
  io.out(`Backups of the edited files, and the record \`backsoon uninstall --nginx\` reads: ${layout.state}/\n`);
  return maybeReload(options.target, options, io);
}
