// For the test terminals (FakeTerminal, and tmux panes captured with their escapes): which text
// a person could actually see, once the colour and attribute sequences written so far apply.

/**
 * The SGR (`ESC[...m`) state that decides whether text can be seen: concealed (SGR 8), or drawn
 * in the same colour as its background (black on black, `38;5;0` on `48;5;0`...).
 */
export class SgrAttributes {
  #concealed = false;
  #fg = 'default';
  #bg = 'default';

  /** Text drawn now would be invisible. */
  get hidden(): boolean {
    return this.#concealed || (this.#fg !== 'default' && this.#fg === this.#bg);
  }

  /** Applies the parameters of one `ESC[<params>m` (`''` resets, like `0`). */
  apply(params: string): void {
    const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => Number(p || 0));
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i] as number;
      if (code === 0) {
        this.#concealed = false;
        this.#fg = 'default';
        this.#bg = 'default';
      } else if (code === 8) this.#concealed = true;
      else if (code === 28) this.#concealed = false;
      else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) this.#fg = palette(code);
      else if ((code >= 40 && code <= 47) || (code >= 100 && code <= 107)) {
        this.#bg = palette(code - 10);
      } else if (code === 39) this.#fg = 'default';
      else if (code === 49) this.#bg = 'default';
      else if (code === 38 || code === 48) {
        const mode = codes[i + 1];
        const color =
          mode === 5 ? `p${codes[i + 2]}` : mode === 2 ? `rgb${codes.slice(i + 2, i + 5)}` : '';
        i += mode === 5 ? 2 : mode === 2 ? 4 : 0;
        if (color && code === 38) this.#fg = color;
        else if (color) this.#bg = color;
      }
    }
  }
}

/** `30`–`37` and `90`–`97` as the 256-colour palette's index, so `31` equals `38;5;1`. */
function palette(code: number): string {
  return `p${code >= 90 ? code - 90 + 8 : code - 30}`;
}

/**
 * Text captured with its escape sequences (`tmux capture-pane -e`) as a person sees it: every
 * character drawn hidden becomes a space, the escape sequences go.
 */
export function seenText(captured: string): string {
  const attributes = new SgrAttributes();
  let out = '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: parsing escapes is the point
  for (const token of captured.match(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b.?|[\s\S]/gu) ?? []) {
    if (token.startsWith('\u001b[') && token.endsWith('m')) attributes.apply(token.slice(2, -1));
    else if (token.startsWith('\u001b')) continue;
    else out += token === '\n' || !attributes.hidden ? token : ' ';
  }
  return out;
}
