/** English plural of an agent name: `reviewer` → `reviewers`, `fix-bug` → `fix-bugs`, `summary` → `summaries`. */
export function pluralize(name: string, count: number): string {
  if (count === 1 || name.length === 0) return name;
  if (/(?:s|x|z|ch|sh)$/i.test(name)) return `${name}es`;
  if (/[^aeiou]y$/i.test(name)) return `${name.slice(0, -1)}ies`;
  return `${name}s`;
}
