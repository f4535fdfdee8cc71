import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workspace } from '../tools/workspace.js';
import { approvalDiff } from './approval-diff.js';
import { stripColors } from './progress/index.js';
import { approvalRequest } from './test-reporter-support.js';

let root: string;
let workspace: Workspace;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'salvo-diff-utf8-')));
  workspace = new Workspace({ root });
  // Latin-1: `é` is the byte 0xE9. Decoded as UTF-8 it became U+FFFD, and the diff of an edit
  // showed one changed line where the tool would have rewritten every accent of the file.
  writeFileSync(join(root, 'a.cfg'), Buffer.from('caf\xe9 = 1\ntarget = 0\n', 'latin1'));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('approvalDiff of a file that is not UTF-8', () => {
  it('an edit says it will fail, as edit_file refuses such a file', () => {
    const request = approvalRequest('c', 'edit_file', {
      path: 'a.cfg',
      old_string: 'target = 0',
      new_string: 'target = 1',
    });
    expect(approvalDiff(request, { workspace, width: 80 })).toEqual({
      kind: 'input',
      note: 'This call will fail: `a.cfg` is a file that is not UTF-8 text.',
    });
  });

  it('a write says what it replaces, without comparing', () => {
    const request = approvalRequest('c', 'write_file', { path: 'a.cfg', content: 'x\n' });
    const diff = approvalDiff(request, { workspace, width: 80 });
    expect(diff?.kind).toBe('diff');
    const rows = diff?.kind === 'diff' ? diff.rows.map(stripColors) : [];
    expect(rows[0]).toBe('  path: a.cfg (replaces a file that is not UTF-8 text, not compared)');
  });
});
