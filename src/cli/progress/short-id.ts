/**
 * A call id short enough to read: provider ids (`toolu_01A09q90qw90lq917835lq9`) are cut to
 * `…` and their last six characters, which still tell calls of one turn apart.
 */
export function shortId(id: string): string {
  return id.length > 10 ? `…${id.slice(-6)}` : id;
}
