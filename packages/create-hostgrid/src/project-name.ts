/** npm's limit on a package name's length. */
const MAX_NAME_LENGTH = 214;

/** Names npm refuses, whatever their characters. */
const RESERVED = new Set(['node_modules', 'favicon.ico']);

/**
 * Why `name` cannot be the scaffolded project's package name (the rules npm applies to
 * a package name without a scope), or `undefined` when it can.
 *
 * @param name - the project folder's base name
 */
export function projectNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name.length > MAX_NAME_LENGTH) return `it is longer than ${MAX_NAME_LENGTH} characters`;
  if (RESERVED.has(name)) return 'npm reserves it';
  if (name.startsWith('.') || name.startsWith('_')) return 'it starts with "." or "_"';
  if (name !== name.toLowerCase()) return 'it has capital letters';
  if (!/^[a-z0-9._~-]+$/.test(name)) return 'npm names take only lowercase letters, digits, "-", ".", "_" and "~"';
  return undefined;
}
