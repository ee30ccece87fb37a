/** The Node.js version a host must have, and reading what `node --version` prints. */

/** The oldest Node.js a host may run: the packages' `engines.node`. */
export const MIN_NODE = { major: 20, minor: 19 } as const;

/** A Node.js version, as `node --version` prints it (`v20.19.0`). */
export interface NodeVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** As printed, e.g. `v20.19.0`. */
  readonly text: string;
}

/** Reads `vMAJOR.MINOR.PATCH` (anything after the patch, such as `-nightly…`, is kept in `text`); `undefined` if it is not one. */
export function parseNodeVersion(text: string): NodeVersion | undefined {
  const match = /^v(\d+)\.(\d+)\.(\d+)\S*$/.exec(text.trim());
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), text: match[0] };
}

/** Whether a version is at least {@link MIN_NODE}. */
export function isNewEnough(version: NodeVersion): boolean {
  return version.major > MIN_NODE.major || (version.major === MIN_NODE.major && version.minor >= MIN_NODE.minor);
}
