/**
 * Splits a workflow `run:` script (or an npm script) into the simple commands it calls, so the
 * workflow check can ask whether each one exists. It knows the bash a CI step uses: quotes,
 * line continuations, `;` `&&` `||` `|` `&`, redirections, comments, `$(…)` (whose commands count
 * too) and the words of `if`/`for`/`while` blocks. It does not expand variables: `$stack` stays as
 * written, and the check refuses to list tests with such an argument.
 */

export interface SimpleCommand {
  /** `NAME=value` words before the program. */
  assignments: Record<string, string>;
  argv: string[];
}

/** Reserved words that open or close a block; the command they stand before still runs. */
const blockWords = new Set('if then elif else fi do done while until { } !'.split(' '));

export function splitCommands(script: string): SimpleCommand[] {
  const found: SimpleCommand[] = [];
  const end = parse(script, 0, false, found);
  if (end < script.length) throw new Error(`unmatched ")" at character ${end + 1} of: ${script}`);
  return found;
}

/** Parses commands from `start` until the end (or the `)` closing a `$(`), adding them to `found`. */
function parse(src: string, start: number, inSubstitution: boolean, found: SimpleCommand[]): number {
  let words: string[] = [];
  let word: string | undefined;
  let redirectTarget = false;
  let i = start;

  const endWord = () => {
    if (word === undefined) return;
    if (redirectTarget) redirectTarget = false;
    else words.push(word);
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    addCommand(words, found);
    words = [];
  };
  const append = (text: string) => {
    word = (word ?? '') + text;
  };
  /** `$(…)`: its commands are commands of the script too; the word keeps a placeholder. */
  const substitution = () => {
    const close = parse(src, i + 2, true, found);
    if (src[close] !== ')') throw new Error(`unclosed "$(" in: ${src}`);
    append(src.slice(i, close + 1));
    i = close + 1;
  };

  while (i < src.length) {
    const c = src[i] as string;
    const next = src[i + 1];
    if (c === '\\' && next === '\n') {
      i += 2;
    } else if (c === '\\') {
      append(next ?? '');
      i += 2;
    } else if (c === "'") {
      const close = src.indexOf("'", i + 1);
      if (close < 0) throw new Error(`unclosed ' in: ${src}`);
      append(src.slice(i + 1, close));
      i = close + 1;
    } else if (c === '"') {
      append('');
      i += 1;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && i + 1 < src.length) {
          append(src[i + 1] as string);
          i += 2;
        } else if (src[i] === '$' && src[i + 1] === '(') {
          substitution();
        } else {
          append(src[i] as string);
          i += 1;
        }
      }
      if (i >= src.length) throw new Error(`unclosed " in: ${src}`);
      i += 1;
    } else if (c === '$' && next === '(') {
      substitution();
    } else if (c === ')' && inSubstitution) {
      endCommand();
      return i;
    } else if (c === '#' && word === undefined) {
      while (i < src.length && src[i] !== '\n') i += 1;
    } else if (c === '>' || c === '<') {
      // `2>` and `>>`, `>&`: the digits belong to the redirection, the next word is its target.
      if (word !== undefined && /^\d+$/.test(word)) word = undefined;
      endWord();
      i += 1;
      while (src[i] === '>' || src[i] === '&') i += 1;
      redirectTarget = true;
    } else if (c === '\n' || c === ';' || c === '|' || c === '&' || c === '(' || c === ')') {
      endCommand();
      i += 1;
    } else if (c === ' ' || c === '\t') {
      endWord();
      i += 1;
    } else {
      append(c);
      i += 1;
    }
  }
  endCommand();
  return i;
}

function addCommand(words: string[], found: SimpleCommand[]): void {
  let rest = words;
  while (rest.length > 0 && blockWords.has(rest[0] as string)) rest = rest.slice(1);
  // `for x in a b`: a loop's header names a variable and its values, no program.
  if (rest[0] === 'for') return;
  if (rest[0] === 'case') throw new Error('"case" blocks are not understood by the workflow check');
  const assignments: Record<string, string> = {};
  while (rest.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0] as string)) {
    const [name = '', ...value] = (rest[0] as string).split('=');
    assignments[name] = value.join('=');
    rest = rest.slice(1);
  }
  if (rest.length > 0) found.push({ assignments, argv: rest });
}
