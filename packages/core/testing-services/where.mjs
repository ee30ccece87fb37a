// The conformance suite's staged module: plain JavaScript that imports @hostgrid/core by
// name, as user modules do, so that a host with no node_modules must provide it.
import { readFileSync, statSync } from 'node:fs';
import { registerClass } from '@hostgrid/core';

export class Where {
  constructor(tag = 'constructed') {
    this.tag = tag;
  }

  /** Where this copy of the module was loaded from, and the worker's working directory. */
  where() {
    return { url: import.meta.url, cwd: process.cwd(), tag: this.tag };
  }

  /** A staged file's permission bits, by its path relative to the temp path. */
  mode(relative) {
    return statSync(relative).mode & 0o777;
  }

  /** A staged file's text, by its path relative to the temp path. */
  read(relative) {
    return readFileSync(relative, 'utf8');
  }
}

registerClass(Where, import.meta.url);
