import { PeHostfileError } from './errors.js';

/** One line of a `PE_HOSTFILE`: a host, the slots granted there, and where they came from. */
export interface PeHostfileEntry {
  /** The host's name as SGE knows it (short or fully qualified): what `qrsh -inherit` takes. */
  readonly host: string;
  /** Slots the job was granted on this host through this queue. */
  readonly slots: number;
  /** The queue instance (`all.q@node01`), when the line names one. */
  readonly queue: string | undefined;
  /**
   * The processor range or core binding, when SGE bound the job (`0,1:0,2`); `undefined` for
   * `UNDEFINED`, `<NULL>` or a missing field.
   */
  readonly processors: string | undefined;
}

const UNSET_PROCESSORS = new Set(['UNDEFINED', '<NULL>', 'NONE']);

/**
 * Reads the host file SGE writes for a parallel job (`$PE_HOSTFILE`): one line per host
 * and queue, `<host> <slots> <queue> <processor range>`, fields separated by blanks.
 * Blank lines are skipped and `\r\n` endings accepted. A host listed twice (slots from
 * two queues) stays two entries here; {@link sgeHosts} adds them up.
 *
 * @example
 * ```ts
 * parsePeHostfile('node01.cluster 4 all.q@node01.cluster UNDEFINED\nnode02 2 all.q@node02 0,1\n');
 * // [{ host: 'node01.cluster', slots: 4, queue: 'all.q@node01.cluster', processors: undefined },
 * //  { host: 'node02', slots: 2, queue: 'all.q@node02', processors: '0,1' }]
 * ```
 * @throws PeHostfileError naming the line (number and text) and what is wrong with it:
 *   a line without a slot count, a count that is not a positive integer, a host name with
 *   characters no host name has.
 */
export function parsePeHostfile(text: string): PeHostfileEntry[] {
  const entries: PeHostfileEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const fields = line.trim().split(/\s+/).filter((field) => field !== '');
    if (fields.length === 0) return;
    const fail = (what: string): never => {
      throw new PeHostfileError({
        line: index + 1,
        text: line,
        message: `PE_HOSTFILE line ${index + 1} (${JSON.stringify(line)}): ${what}; each line must read "<host> <slots> <queue> <processor range>", e.g. "node01 4 all.q@node01 UNDEFINED"`,
      });
    };
    const [host, slots, queue, processors] = fields as [string, ...string[]];
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(host)) fail(`${JSON.stringify(host)} is not a host name`);
    if (slots === undefined) fail('no slot count after the host name');
    if (!/^\d+$/.test(slots!) || Number(slots) < 1) fail(`the slot count ${JSON.stringify(slots)} is not a positive integer`);
    entries.push({
      host,
      slots: Number(slots),
      queue,
      processors: processors === undefined || UNSET_PROCESSORS.has(processors) ? undefined : processors,
    });
  });
  return entries;
}
