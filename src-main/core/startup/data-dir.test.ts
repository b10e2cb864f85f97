import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareDataDir, type DataDirFs } from './data-dir';
import { EXIT_REFUSED, StartupError } from './startup-error';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'data-dir-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function refusal(run: () => void): StartupError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StartupError);
    const refused = error as StartupError;
    expect(refused.exitCode).toBe(EXIT_REFUSED);
    expect(refused.message).not.toContain('\n');
    return refused;
  }
  throw new Error('prepareDataDir accepted it');
}

/** A real file system whose mkdir fails with `code` for one path. */
function failingMkdir(path: string, code: string): DataDirFs {
  return {
    statSync: (p) => statSync(p),
    mkdirSync: (p, options) => {
      if (p === path) throw Object.assign(new Error(`${code}: mkdir '${p}'`), { code });
      return mkdirSync(p, options);
    },
  };
}

describe('prepareDataDir', () => {
  it('creates the folder and its missing parents, private to the user', () => {
    const target = join(dir, 'a', 'b', 'c');
    prepareDataDir(target);
    expect(statSync(target).isDirectory()).toBe(true);
    expect(statSync(target).mode & 0o077).toBe(0);
    expect(statSync(join(dir, 'a')).mode & 0o077).toBe(0);
  });

  it('accepts a folder that exists and leaves its content alone', () => {
    writeFileSync(join(dir, 'settings.json'), '{}');
    prepareDataDir(dir);
    expect(statSync(join(dir, 'settings.json')).isFile()).toBe(true);
  });

  it('refuses a file given as the data folder, saying so and what to do', () => {
    const file = join(dir, 'desk-data');
    writeFileSync(file, 'not a folder');
    const error = refusal(() => prepareDataDir(file));
    expect(error.message).toBe(
      `the data folder ${file} is a file, not a folder. Start the desk with --data-dir set to a folder this user can write (it is created if missing).`,
    );
  });

  it('refuses a folder under a file, naming the file in the way', () => {
    const file = join(dir, 'desk-data');
    writeFileSync(file, 'not a folder');
    const error = refusal(() => prepareDataDir(join(file, 'inner', 'deeper')));
    expect(error.message).toContain(`cannot be created: ${file} is a file, not a folder.`);
  });

  it('gives up on /proc/x at once instead of spinning (Node\'s recursive mkdir loops there forever)', () => {
    const started = Date.now();
    const error = refusal(() => prepareDataDir('/proc/x'));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.message).toContain('the data folder /proc/x cannot be created: /proc does not accept new folders');
  });

  it('refuses a folder the kernel will not let anyone create (/sys/x: EPERM) as not writable', () => {
    const error = refusal(() => prepareDataDir('/sys/x'));
    expect(error.message).toMatch(/^the data folder \/sys\/x is not writable by this user: permission denied \((EPERM|EACCES)\)\./);
  });

  it.each([
    ['EACCES', 'is not writable by this user (at PARENT): permission denied (EACCES).'],
    ['EROFS', 'is on a read-only file system (at PARENT).'],
    ['ENOSPC', 'no space left for the data folder'],
  ])('names %s for a parent it cannot create', (code, expected) => {
    const parent = join(dir, 'parent');
    const target = join(parent, 'desk');
    const error = refusal(() => prepareDataDir(target, failingMkdir(parent, code)));
    expect(error.message).toContain(expected.replace('PARENT', parent));
    expect(error.code).toBe(code);
  });

  it('accepts a folder another process created between the check and the mkdir', () => {
    const target = join(dir, 'raced');
    const fs: DataDirFs = {
      statSync: (p) => statSync(p),
      mkdirSync: (p, options) => {
        mkdirSync(p, options);
        throw Object.assign(new Error('EEXIST'), { code: 'EEXIST' });
      },
    };
    prepareDataDir(target, fs);
    expect(statSync(target).isDirectory()).toBe(true);
  });
});
