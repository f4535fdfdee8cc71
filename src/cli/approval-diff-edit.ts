import { replaceText } from '../tools/edit-file.js';

/** What edit_file would do to a file's text: its new text, or why the call will fail. */
export type EditPreview =
  | { ok: true; updated: string; replaced: number }
  | { ok: false; message: string };

/** The fields of an edit_file call the preview needs. */
export interface EditInput {
  old_string: string;
  new_string: string;
  replace_all?: boolean | undefined;
}

/**
 * The text edit_file would write, worked out exactly as the tool does it (the same checks in
 * the same order, the same matching of a CRLF file's line breaks), so the diff the user
 * approves is the change that will be made to the file as it is now. `name` is the file as
 * messages show it.
 */
export function previewEdit(text: string, input: EditInput, name: string): EditPreview {
  if (input.old_string === '') {
    return {
      ok: false,
      message: 'old_string is empty (to create or replace a file, the model must use write_file)',
    };
  }
  if (input.old_string === input.new_string) {
    return {
      ok: false,
      message: 'old_string and new_string are the same: the edit would change nothing',
    };
  }
  const { at, updated } = replaceText(text, input.old_string, input.new_string);
  if (at.length === 0) return { ok: false, message: `old_string was not found in ${name}` };
  if (at.length > 1 && input.replace_all !== true) {
    return {
      ok: false,
      message: `old_string occurs ${at.length} times in ${name} and replace_all is not set`,
    };
  }
  return { ok: true, updated, replaced: at.length };
}
