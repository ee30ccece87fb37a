import { shellQuote } from '@hostgrid/core';
import { HostCheckError } from './check-failure.js';
import type { SshSession } from './ssh-session.js';
import { MIN_NODE, isNewEnough, parseNodeVersion, type NodeVersion } from './node-version.js';

/** Exit status of the probe when the executable is not found (as a shell's "command not found"). */
const NOT_FOUND = 127;

/**
 * Finds `node` (a command name looked up on the login shell's PATH, or a path) on the host
 * through the same kind of non-interactive login-shell command a worker is started with,
 * and reads its version.
 *
 * @returns where it is and its version
 * @throws {@link HostCheckError} (step `node`) when it is missing, does not print a version, or is older than {@link MIN_NODE}
 */
export async function checkNode(session: SshSession, host: string, node: string): Promise<{ path: string; version: NodeVersion }> {
  const quoted = shellQuote(node);
  const { stdout, stderr, code } = await session.run(`p=$(command -v ${quoted}) || exit ${NOT_FOUND}; printf '%s\\n' "$p"; exec "$p" --version`);
  const fix = `install Node.js ${MIN_NODE.major}.${MIN_NODE.minor} or later on the host (on the PATH of non-interactive ssh commands), or give its path with --node`;
  if (code === NOT_FOUND) {
    throw new HostCheckError({ host, step: 'node', problem: node.includes('/') ? `${node} is not there or not executable` : `"${node}" is not on the PATH of the login shell`, fix });
  }
  // A login shell's start-up files may print first: the probe's own lines are the last two.
  const lines = stdout.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const [path, printed] = lines.slice(-2);
  const version = code === 0 && printed !== undefined ? parseNodeVersion(printed) : undefined;
  if (path === undefined || version === undefined) {
    const said = (printed ?? stderr.trim().split('\n').pop() ?? '').slice(0, 120);
    throw new HostCheckError({ host, step: 'node', problem: `${path ?? node} --version did not print a version (exit ${String(code)}${said === '' ? '' : `: ${JSON.stringify(said)}`})`, fix });
  }
  if (!isNewEnough(version)) {
    throw new HostCheckError({ host, step: 'node', problem: `${path} is Node.js ${version.text}, older than ${MIN_NODE.major}.${MIN_NODE.minor}`, fix });
  }
  return { path, version };
}
