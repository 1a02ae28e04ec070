import { readFile, rename, rmdir } from 'node:fs/promises';
import type { Io } from '../command.js';
import { CliError } from '../errors.js';
import { explainNginxFailure } from '../nginx-errors.js';
import type { NginxTarget } from '../nginx-run.js';
import { isDir, readNginx, readText, realPath } from './context.js';
import { testConfig } from './control.js';
import { unifiedDiff } from './diff.js';
import { isMarkedLine, removeMarkedLines } from './edit.js';
import { maybeReload } from './install.js';
import { operatorFiles, removePage } from './page-release.js';
import { sha256 } from './plan.js';
import { holdSignals, Transaction } from './transaction.js';

/**
 * `backsoon uninstall --nginx`: takes out what the install put in. A file
 * the operator has not touched since goes back to its backup byte for
 * byte; one they changed loses only the lines marked as the install's.
 * Files the install wrote go, or, once edited (the staff file with its
 * tokens), are set aside where nginx no longer reads them. The page's
 * folder keeps the operator's files (brand.css, a logo) and a maintenance
 * in progress, which the command states, and only goes ahead with --yes.
 */

export interface RunUninstallOptions {
  target: NginxTarget;
  dryRun: boolean;
  reload: boolean;
  yes: boolean;
  state: string | undefined;
  version: string;
}

/** Where an edited file the install wrote is kept, out of nginx's reach (no `.conf` ending). */
export const KEPT_SUFFIX = '.kept';

interface FileRestore {
  path: string;
  before: string;
  after: string;
  how: string;
}

export async function runUninstall(options: RunUninstallOptions, io: Io): Promise<number> {
  const context = await readNginx(options.target, options.state, io);
  const { layout, record } = context;
  const restores: FileRestore[] = [];
  const said: string[] = [];

  // Edited files: back to the backup when untouched since, else only our lines out.
  const handled = new Set<string>();
  for (const edit of record?.edits ?? []) {
    handled.add(edit.path);
    const current = readText(edit.path);
    if (current === undefined) {
      said.push(`${edit.path} is gone: nothing to restore`);
      continue;
    }
    if (sha256(current) === edit.installed) {
      const backup = await readFile(edit.backup, 'utf8').catch(() => undefined);
      if (backup !== undefined && sha256(backup) === edit.original) {
        restores.push({
          path: edit.path,
          before: current,
          after: backup,
          how: 'back as it was before the install (its backup)',
        });
        continue;
      }
      said.push(`${edit.path}: its backup is missing or changed: only backsoon's lines are removed`);
    }
    const { text, removed } = removeMarkedLines(current);
    if (removed > 0)
      restores.push({
        path: edit.path,
        before: current,
        after: text,
        how:
          sha256(current) === edit.installed
            ? `backsoon's ${removed} line(s) removed`
            : `changed since the install: backsoon's ${removed} line(s) removed, your changes kept`,
      });
    else said.push(`${edit.path}: changed since the install, and has no line of backsoon's left: left as it is`);
  }
  // Marked lines in files the record does not know (no record, or lines copied elsewhere).
  for (const [file, text] of context.dump) {
    const path = realPath(file);
    if (handled.has(path) || !text.split('\n').some(isMarkedLine)) continue;
    handled.add(path);
    const current = readText(path);
    if (current === undefined) continue;
    const { text: without, removed } = removeMarkedLines(current);
    if (removed > 0)
      restores.push({ path, before: current, after: without, how: `backsoon's ${removed} line(s) removed` });
  }

  // Files the install wrote whole.
  const removes: string[] = [];
  const asides: { from: string; to: string }[] = [];
  const caches: string[] = [];
  for (const file of record?.files ?? []) {
    const current = readText(file.path);
    if (current === undefined) continue;
    for (const match of current.matchAll(/^\s*(?:proxy|uwsgi|fastcgi)_cache_path\s+(\S+)/gm))
      if (isDir(match[1]!)) caches.push(match[1]!);
    if (sha256(current) === file.sha256) removes.push(file.path);
    else asides.push({ from: file.path, to: `${file.path}${KEPT_SUFFIX}` });
  }
  if (!record)
    said.push(`no record of an install in ${layout.state}/: only the lines marked as backsoon's are removed`);

  // The page: a maintenance in progress is said, and needs --yes.
  const roots = record?.roots ?? [];
  const pageNotes: string[] = [];
  let maintenanceOn = false;
  for (const root of roots) {
    for (const { file, why } of await operatorFiles(root)) {
      pageNotes.push(`${root}/__backsoon/${file}: ${why}, kept`);
      if (file === 'maintenance.on') maintenanceOn = true;
    }
  }

  io.out(`backsoon ${options.version}: uninstall from nginx (${layout.main})\n\nChanges:\n`);
  const lines: string[] = [];
  for (const r of restores) lines.push(`  edit    ${r.path}: ${r.how}`);
  for (const path of removes) lines.push(`  remove  ${path}`);
  for (const { from, to } of asides)
    lines.push(`  keep    ${from} as ${to}: edited since the install (nginx no longer reads it)`);
  for (const cache of caches) lines.push(`  remove  ${cache}/ (the probe's cache)`);
  if (record?.snippets) {
    lines.push(
      record.snippets.created
        ? `  remove  ${record.snippets.dir}/`
        : `  keep    ${record.snippets.dir}/ (it was there before the install)`,
    );
  }
  for (const dir of [...(record?.dirs ?? [])].reverse()) lines.push(`  rmdir   ${dir} (if empty)`);
  for (const root of roots) lines.push(`  page    ${root}/__backsoon: the link and its releases go`);
  if (record) lines.push(`  remove  ${layout.state}/ (the record and the backups)`);
  io.out(`${(lines.length > 0 ? lines : ['  none']).join('\n')}\n`);
  for (const note of [...said, ...pageNotes]) io.out(`  note: ${note}\n`);
  const diffs = restores.map((r) => unifiedDiff(r.path, `${r.path} (without backsoon)`, r.before, r.after)).join('');
  if (diffs) io.out(`\n${diffs}`);
  if (lines.length === 0) {
    io.out('\nNothing to do: nginx has no part of backsoon that the install put in.\n');
    return 0;
  }
  if (maintenanceOn && !options.yes && !options.dryRun) {
    throw new CliError(
      'maintenance is on: after the uninstall nginx no longer answers 503 for it and passes requests to the app. Run `backsoon up` first, or give --yes to go ahead (the flag file is kept)',
    );
  }
  if (options.dryRun) {
    io.out('\nDry run: nothing was changed.\n');
    return 0;
  }

  const tx = new Transaction();
  const resume = holdSignals((text) => io.err(text));
  try {
    try {
      for (const r of restores) await tx.write(r.path, r.after);
      for (const path of removes) await tx.remove(path);
      for (const { from, to } of asides)
        await tx.step(
          `put back ${from}`,
          () => rename(from, to),
          () => rename(to, from),
        );
      for (const cache of caches) await tx.remove(cache);
      if (record?.snippets?.created) await tx.remove(record.snippets.dir);
      const tested = testConfig(options.target);
      if (!tested.ok) {
        const failed = await tx.rollback();
        io.err(
          `nginx -t refuses the configuration without backsoon:\n${explainNginxFailure(tested.messages).join('\n')}\n`,
        );
        throw new CliError(
          failed.length > 0
            ? `nginx -t failed, and some changes could not be undone:\n  ${failed.join('\n  ')}`
            : 'nginx -t failed: every file is back as it was before the command',
        );
      }
      if (record) await tx.remove(layout.state);
    } catch (error) {
      if (error instanceof CliError) throw error;
      const failed = await tx.rollback();
      io.err(`the uninstall failed: ${(error as Error).message}\n`);
      throw new CliError(
        failed.length > 0
          ? `and some changes could not be undone:\n  ${failed.join('\n  ')}`
          : 'every file is back as it was',
      );
    }
    await tx.commit();
  } finally {
    resume();
  }
  io.out('\nnginx -t: the configuration without backsoon is valid.\n');
  for (const root of roots) {
    const { kept } = await removePage(root);
    io.out(
      kept.length > 0
        ? `${root}/__backsoon keeps what is yours: ${kept.join(', ')}\n`
        : `${root}/__backsoon is gone.\n`,
    );
  }
  // Only a folder left empty goes: what someone put in it since stays.
  for (const dir of [...(record?.dirs ?? [])].reverse()) await rmdir(dir).catch(() => undefined);
  return maybeReload(options.target, options, io);
}
