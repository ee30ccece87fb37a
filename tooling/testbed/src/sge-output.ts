/** Parsing what SGE's commands print. */
import type { SgeJobResult, SgeJobState } from './sge-testbed.js';

/**
 * The jobs in `qstat` output (a header, a rule, then one line per job:
 * `id prior name user state date time [queue] slots [ja-task]`; a waiting job has no queue).
 */
export function parseQstat(text: string): SgeJobState[] {
  return text
    .split('\n')
    .slice(2)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 8 && /^\d+$/.test(fields[0]!))
    .map((fields) => ({
      id: Number(fields[0]),
      name: fields[2]!,
      state: fields[4]!,
      slots: Number(fields[7]!.includes('@') ? fields[8] : fields[7]),
    }));
}

/**
 * How job `id` ended, from `qacct -j` output: records separated by lines of `=`, one per
 * task of a parallel job and one for the job itself, which is written last.
 */
export function parseQacct(text: string, id: number): SgeJobResult | undefined {
  const records = text.split(/^=+$/m).map((block) => {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const match = /^(\w+)\s+(.*?)\s*$/.exec(line);
      if (match) fields.set(match[1]!, match[2]!);
    }
    return fields;
  });
  const mine = records.filter((fields) => fields.get('jobnumber') === String(id));
  const last = mine[mine.length - 1];
  if (last === undefined) return undefined;
  return { id, exitStatus: Number(last.get('exit_status') ?? Number.NaN), failed: last.get('failed') ?? '' };
}
