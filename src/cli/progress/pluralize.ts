/** English plural of an agent name: `reviewer` → `reviewers`, `fix-bug` → `fix-bugs`, `summary` → `summaries`. */
export function pluralize(name: string, count: number): string {
  if (count === 1 || name.length === 0) return name;
  if (/(?:s|x|z|ch|sh)$/i.test(name)) return `${name}es`;
  if (/[^aeiou]y$/i.test(name)) return `${name.slice(0, -1)}ies`;
  return `${name}s`;
}

/**
 * A count and its noun, singular or plural: `1 tool call`, `3 tool calls`, `0 subagents`. The
 * last word is made plural (`tool call` → `tool calls`); `plural` names an irregular one.
 */
export function counted(count: number, noun: string, plural?: string): string {
  if (count === 1) return `${count} ${noun}`;
  if (plural !== undefined) return `${count} ${plural}`;
  const cut = noun.lastIndexOf(' ') + 1;
  return `${count} ${noun.slice(0, cut)}${pluralize(noun.slice(cut), count)}`;
}
