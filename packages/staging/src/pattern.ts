import fg from 'fast-glob';
import { StagingInputError } from './errors.js';

/** A `folder/namepattern` pattern, checked and taken apart. */
export interface ParsedPattern {
  /** The pattern as given. */
  readonly pattern: string;
  /** The literal folder, POSIX, relative to the root, in canonical form; `''` for the root itself. */
  readonly folder: string;
  /** The glob on base names. */
  readonly name: string;
  /** The fast-glob pattern, relative to the root, that finds the files at any depth under `folder`. */
  readonly glob: string;
}

const FOLDER_GLOB_CHARACTERS = /[*?[\]{}]/;

/**
 * Checks a `folder/namepattern` pattern and turns it into one fast-glob pattern:
 * `data/*.txt` becomes `data/**\/*.txt`, `*.pyc` becomes `**\/*.pyc`. The folder's
 * characters are escaped, so that `d (1)/*.txt` looks in the folder `d (1)`.
 *
 * @throws StagingInputError when the pattern is not a string, is empty, holds a NUL, is
 * absolute, has a `..` segment, ends in `/` (no name part), or has a folder segment with
 * a glob character (`* ? [ ] { }`) or a backslash.
 */
export function parsePattern(pattern: string): ParsedPattern {
  const refuse = (why: string): never => {
    throw new StagingInputError({ message: `invalid pattern ${JSON.stringify(pattern)}: ${why}`, pattern: String(pattern) });
  };
  if (typeof pattern !== 'string') refuse('a pattern must be a string');
  if (pattern === '') refuse('it is empty');
  if (pattern.includes('\0')) refuse('it contains a NUL character');
  if (pattern.startsWith('/')) refuse('it is absolute; patterns are relative to the root folder');
  if (pattern.split('/').includes('..')) refuse('it contains a ".." segment; patterns cannot reach above the root folder');
  const slash = pattern.lastIndexOf('/');
  const name = pattern.slice(slash + 1);
  if (name === '' || name === '.') {
    refuse('it has no name part; a pattern is folder/namepattern (write "data/*" for every file under data)');
  }
  const folderSegments = pattern
    .slice(0, Math.max(slash, 0))
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.');
  for (const segment of folderSegments) {
    if (FOLDER_GLOB_CHARACTERS.test(segment)) {
      refuse(
        `folder segment ${JSON.stringify(segment)} contains a glob character; folders are literal ` +
          '(only the name part is a glob), and a pattern with no folder ("*.txt") searches every folder',
      );
    }
    if (segment.includes('\\')) refuse(`folder segment ${JSON.stringify(segment)} contains a backslash`);
  }
  const folder = folderSegments.join('/');
  const glob = `${folder === '' ? '' : `${fg.escapePath(folder)}/`}**/${name}`;
  return { pattern, folder, name, glob };
}
