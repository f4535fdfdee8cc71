import { formatBytes } from '../../tools/text-file.js';
import { sanitizeInline } from '../../trace/sanitize-text.js';
import { type Attachment, expandMentions } from './expand-mentions.js';

export interface AttachMentionsOptions {
  /** The workspace: only what is inside it is attached. */
  root: string;
  /** One line for the user per attachment and per mention not attached. */
  say: (line: string) => void;
  signal?: AbortSignal;
}

/** `attached src/a.ts (1.2 KB)`, `attached src/ (12 entries)`. */
export function attachmentLine(attachment: Attachment): string {
  const size =
    attachment.kind === 'file'
      ? formatBytes(attachment.size)
      : `${attachment.size} ${attachment.size === 1 ? 'entry' : 'entries'}`;
  return `attached ${sanitizeInline(attachment.path)} (${size})`;
}

/**
 * The prompt with the files and folders its `@path` mentions name attached (see
 * `expandMentions`), and one line said for each: what was attached, what was not and why. The
 * result is what the model gets (and the transcript keeps).
 */
export async function attachMentions(
  text: string,
  options: AttachMentionsOptions,
): Promise<string> {
  const expanded = await expandMentions(text, {
    root: options.root,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for (const attachment of expanded.attachments) options.say(attachmentLine(attachment));
  for (const notice of expanded.notices) options.say(sanitizeInline(notice));
  return expanded.prompt;
}
