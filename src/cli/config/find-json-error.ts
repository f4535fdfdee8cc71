/**
 * The offset of the first JSON syntax error in `text`, or `undefined` when `text` is valid JSON.
 * For `JSON.parse` messages that carry no position (V8's "Unexpected token '}', ... is not valid
 * JSON"). Points where a reader would look: at the unexpected character, or at the end of the
 * text when it ends too early.
 */
export function findJsonError(text: string): number | undefined {
  const scanner = new Scanner(text);
  try {
    scanner.value();
    scanner.space();
    if (scanner.at < text.length) return scanner.at;
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxAt) return error.offset;
    return undefined; // nested too deep for the stack: no position rather than a crash
  }
}

class SyntaxAt {
  constructor(readonly offset: number) {}
}

const escapes = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

class Scanner {
  at = 0;

  constructor(readonly text: string) {}

  value(): void {
    this.space();
    const c = this.text[this.at];
    if (c === '{') this.object();
    else if (c === '[') this.array();
    else if (c === '"') this.string();
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) this.number();
    else if (c === 't') this.literal('true');
    else if (c === 'f') this.literal('false');
    else if (c === 'n') this.literal('null');
    else this.fail();
  }

  space(): void {
    while (/[ \t\r\n]/.test(this.text[this.at] ?? '')) this.at++;
  }

  private object(): void {
    this.at++;
    this.space();
    if (this.text[this.at] === '}') {
      this.at++;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') this.fail();
      this.string();
      this.space();
      this.expect(':');
      this.value();
      this.space();
      if (this.text[this.at] === '}') {
        this.at++;
        return;
      }
      this.expect(',');
    }
  }

  private array(): void {
    this.at++;
    this.space();
    if (this.text[this.at] === ']') {
      this.at++;
      return;
    }
    for (;;) {
      this.value();
      this.space();
      if (this.text[this.at] === ']') {
        this.at++;
        return;
      }
      this.expect(',');
    }
  }

  private string(): void {
    this.at++;
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined || c < ' ') this.fail();
      this.at++;
      if (c === '"') return;
      if (c === '\\') {
        const e = this.text[this.at];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(this.text[this.at + k] ?? '')) this.fail(this.at + k);
          }
          this.at += 5;
        } else if (e !== undefined && escapes.has(e)) this.at++;
        else this.fail();
      }
    }
  }

  private number(): void {
    if (this.text[this.at] === '-') this.at++;
    if (this.text[this.at] === '0') this.at++;
    else this.digits();
    if (this.text[this.at] === '.') {
      this.at++;
      this.digits();
    }
    if (this.text[this.at] === 'e' || this.text[this.at] === 'E') {
      this.at++;
      if (this.text[this.at] === '+' || this.text[this.at] === '-') this.at++;
      this.digits();
    }
  }

  private digits(): void {
    const start = this.at;
    while (/[0-9]/.test(this.text[this.at] ?? '')) this.at++;
    if (this.at === start) this.fail();
  }

  private literal(word: string): void {
    for (const c of word) {
      if (this.text[this.at] !== c) this.fail();
      this.at++;
    }
  }

  private expect(c: string): void {
    if (this.text[this.at] !== c) this.fail();
    this.at++;
  }

  private fail(offset = this.at): never {
    throw new SyntaxAt(Math.min(offset, this.text.length));
  }
}
