import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { ExchangeResult } from './exchange.js';
import type { ReportData } from './report-data.js';
import { renderReportHtml } from './report-html.js';

/** The files {@link writeOutput} wrote, as absolute paths. */
export interface OutputFiles {
  /** `result.json`. */
  readonly result: string;
  /** `report.json`. */
  readonly reportJson: string;
  /** `report.html`. */
  readonly reportHtml: string;
}

/**
 * The output folder as an absolute path. A relative `--out` is taken from the folder the
 * user typed the command in: the current one, or, when npm runs the demo's own script
 * (`npm run demo` at the root), npm's `INIT_CWD`.
 */
export function resolveOutDir(out: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  if (isAbsolute(out)) return out;
  const base = env.npm_package_name === '@hostgrid/demo' && env.INIT_CWD !== undefined && isAbsolute(env.INIT_CWD) ? env.INIT_CWD : cwd;
  return resolve(base, out);
}

/**
 * Writes a run's files into `dir` (made if missing): `result.json` (the result alone,
 * byte for byte what a `--sequential` run writes), `report.json` (the report's data) and
 * `report.html` (the self-contained report).
 */
export async function writeOutput(dir: string, result: ExchangeResult, report: ReportData): Promise<OutputFiles> {
  await mkdir(dir, { recursive: true });
  const files: OutputFiles = {
    result: join(dir, 'result.json'),
    reportJson: join(dir, 'report.json'),
    reportHtml: join(dir, 'report.html'),
  };
  await writeFile(files.result, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(files.reportJson, `${JSON.stringify(report)}\n`);
  await writeFile(files.reportHtml, renderReportHtml(report));
  return files;
}
