/**
 * SLURM's compact host lists (`SLURM_JOB_NODELIST`) and task counts
 * (`SLURM_TASKS_PER_NODE`), expanded.
 */

/** The most host names one list may expand to: a typo such as `n[1-99999999]` must not eat the memory. */
export const MAX_HOSTLIST_HOSTS = 1_000_000;

/**
 * A host list or a tasks-per-node list that cannot be read. `text` is the whole input,
 * `position` the index (from 0) of the character where reading failed.
 */
export class SlurmSyntaxError extends TypeError {
  override readonly name = 'SlurmSyntaxError';
  /** The text that could not be read. */
  readonly text: string;
  /** Where in `text` (from 0) reading failed. */
  readonly position: number;

  constructor(what: string, text: string, position: number, problem: string) {
    super(`[hostgrid] bad ${what} ${JSON.stringify(text)} at position ${position}: ${problem}`);
    this.text = text;
    this.position = position;
  }
}

const hostlistError = (text: string, position: number, problem: string): SlurmSyntaxError => new SlurmSyntaxError('SLURM host list', text, position, problem);

/** Characters of a host name outside brackets: what SLURM node names and DNS names use. */
const NAME_CHAR = /[A-Za-z0-9._-]/;

/** One bracket group, `[01-03,07]`, expanded to its numbers as strings, zero padding kept. */
function expandRanges(text: string, start: number, end: number): string[] {
  const numbers: string[] = [];
  let at = start;
  for (const part of text.slice(start, end).split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) {
      const problem = part === '' ? 'an empty range' : `"${part}" is not a number or a range lo-hi`;
      throw hostlistError(text, at, `${problem} inside brackets (write e.g. [1-3,7] or [01-10])`);
    }
    const lo = match[1]!;
    const hi = match[2] ?? lo;
    const first = Number(lo);
    const last = Number(hi);
    if (last < first) throw hostlistError(text, at, `the range ${part} goes backwards`);
    if (numbers.length + (last - first + 1) > MAX_HOSTLIST_HOSTS) throw hostlistError(text, at, `it expands to more than ${MAX_HOSTLIST_HOSTS} hosts`);
    // As SLURM does: every number is padded to the width of the range's first one.
    for (let n = first; n <= last; n += 1) numbers.push(String(n).padStart(lo.length, '0'));
    at += part.length + 1;
  }
  return numbers;
}

/**
 * One entry of the list (no top-level commas), from `start` to `end`: literal pieces and
 * bracket groups, expanded as their product, the first group varying slowest.
 */
function expandEntry(text: string, start: number, end: number, total: number): string[] {
  let names = [''];
  let at = start;
  while (at < end) {
    const char = text[at]!;
    if (char === '[') {
      const close = text.indexOf(']', at);
      if (close < 0 || close >= end) throw hostlistError(text, at, 'a "[" is never closed');
      const nested = text.indexOf('[', at + 1);
      if (nested >= 0 && nested < close) throw hostlistError(text, nested, 'brackets cannot nest');
      const numbers = expandRanges(text, at + 1, close);
      if ((total + names.length * numbers.length) > MAX_HOSTLIST_HOSTS) throw hostlistError(text, at, `it expands to more than ${MAX_HOSTLIST_HOSTS} hosts`);
      names = names.flatMap((name) => numbers.map((number) => name + number));
      at = close + 1;
    } else if (char === ']') {
      throw hostlistError(text, at, 'a "]" without its "["');
    } else if (NAME_CHAR.test(char)) {
      let stop = at;
      while (stop < end && NAME_CHAR.test(text[stop]!)) stop += 1;
      const literal = text.slice(at, stop);
      names = names.map((name) => name + literal);
      at = stop;
    } else {
      const shown = /\s/.test(char) ? 'whitespace' : `the character ${JSON.stringify(char)}`;
      throw hostlistError(text, at, `${shown} cannot be part of a host name`);
    }
  }
  return names;
}

/**
 * Expands a SLURM host list, as `scontrol show hostnames` does: comma-separated entries
 * (commas inside brackets separate ranges), each a name with any number of bracket
 * groups of numbers and ranges. Zero padding is kept, every number padded to the width of
 * its range's first (`n[08-10]` → `n08 n09 n10`). Several groups in one name give every
 * combination, the first group varying slowest (`rack[1-2]-n[01-02]` → `rack1-n01
 * rack1-n02 rack2-n01 rack2-n02`). Empty entries (a trailing comma) are skipped, as SLURM
 * skips them; the order and any repeats are kept.
 *
 * @example
 * ```ts
 * parseHostlist('n[01-03,07],gpu[1-2]'); // ['n01', 'n02', 'n03', 'n07', 'gpu1', 'gpu2']
 * ```
 * @throws SlurmSyntaxError (a `TypeError`) naming the text and the position, for an
 *   empty list, an unclosed or nested bracket, a stray `]`, an empty or backward range, a
 *   range that is not numbers, whitespace or another character no host name has, or more
 *   than {@link MAX_HOSTLIST_HOSTS} hosts.
 */
export function parseHostlist(text: string): string[] {
  if (typeof text !== 'string') throw new TypeError(`[hostgrid] a SLURM host list must be a string, got ${typeof text}`);
  const hosts: string[] = [];
  let start = 0;
  let depth = 0;
  for (let at = 0; at <= text.length; at += 1) {
    const char = text[at];
    if (char === '[') depth += 1;
    else if (char === ']') depth = Math.max(0, depth - 1);
    if (at === text.length || (char === ',' && depth === 0)) {
      if (at > start) hosts.push(...expandEntry(text, start, at, hosts.length));
      start = at + 1;
    }
  }
  if (hosts.length === 0) throw hostlistError(text, 0, 'it names no host');
  return hosts;
}

/**
 * Expands `SLURM_TASKS_PER_NODE` (or `SLURM_JOB_CPUS_PER_NODE`): comma-separated counts,
 * each optionally repeated, `count(xN)`.
 *
 * @example
 * ```ts
 * parseTasksPerNode('2(x3),1'); // [2, 2, 2, 1]
 * ```
 * @throws SlurmSyntaxError naming the text and the position of an entry that is not a
 *   positive count or `count(xN)` with N ≥ 1.
 */
export function parseTasksPerNode(text: string): number[] {
  if (typeof text !== 'string') throw new TypeError(`[hostgrid] SLURM tasks per node must be a string, got ${typeof text}`);
  const counts: number[] = [];
  let at = 0;
  for (const entry of text.split(',')) {
    const match = /^(\d+)(?:\(x(\d+)\))?$/.exec(entry);
    const count = Number(match?.[1]);
    const times = Number(match?.[2] ?? 1);
    if (!match || count < 1 || times < 1 || !Number.isSafeInteger(count)) {
      const problem = entry === '' ? 'an empty entry' : `"${entry}" is not a positive count or count(xN)`;
      throw new SlurmSyntaxError('SLURM tasks per node', text, at, `${problem} (forms: 4, 2(x3),1)`);
    }
    if (counts.length + times > MAX_HOSTLIST_HOSTS) throw new SlurmSyntaxError('SLURM tasks per node', text, at, `it covers more than ${MAX_HOSTLIST_HOSTS} nodes`);
    for (let i = 0; i < times; i += 1) counts.push(count);
    at += entry.length + 1;
  }
  return counts;
}
