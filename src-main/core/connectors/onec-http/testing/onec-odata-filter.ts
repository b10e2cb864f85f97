/**
 * The fixture's `$filter`: the slice of OData v3 the connector sends 1C — `eq`, `ne`, `and`,
 * `or`, `not`, parentheses, `substringof('text', Field)`, and the literals `'text'`,
 * `guid'…'`, `datetime'…'`, `true`, `false`, numbers. Anything else throws (the fixture then
 * answers 400, as 1C does for a query it cannot read).
 */

type Row = Record<string, unknown>;
type Value = string | number | boolean | null;
type Node = { kind: 'literal'; value: Value } | { kind: 'field'; name: string } | { kind: 'call'; name: string; args: Node[] } | { kind: 'op'; op: string; left: Node; right: Node } | { kind: 'not'; operand: Node };

const TOKEN = /\s*(?:(guid|datetime)'([^']*)'|'((?:[^']|'')*)'|(\d+(?:\.\d+)?)|([\p{L}_][\p{L}\p{N}_/]*)|([(),]))/uy;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new Error(`cannot read $filter at ${start}`);
    if (match[1] !== undefined) tokens.push(`${match[1]}:${match[2]}`);
    else if (match[3] !== undefined) tokens.push(`s:${match[3].replace(/''/g, "'")}`);
    else if (match[4] !== undefined) tokens.push(`n:${match[4]}`);
    else tokens.push(match[5] ?? match[6]!);
  }
  return tokens;
}

/** Compiles a `$filter` into a predicate over rows. */
export function compileODataFilter(text: string): (row: Row) => boolean {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const take = (expected?: string) => {
    const token = tokens[i++];
    if (token === undefined || (expected !== undefined && token !== expected)) throw new Error(`$filter: expected ${expected ?? 'more'}`);
    return token;
  };
  const primary = (): Node => {
    const token = take();
    if (token === '(') {
      const inner = or();
      take(')');
      return inner;
    }
    if (token === 'not') return { kind: 'not', operand: comparison() };
    if (token === 'true' || token === 'false') return { kind: 'literal', value: token === 'true' };
    if (token === 'null') return { kind: 'literal', value: null };
    if (token.startsWith('s:')) return { kind: 'literal', value: token.slice(2) };
    if (token.startsWith('guid:')) return { kind: 'literal', value: token.slice(5).toLowerCase() };
    if (token.startsWith('datetime:')) return { kind: 'literal', value: token.slice(9) };
    if (token.startsWith('n:')) return { kind: 'literal', value: Number(token.slice(2)) };
    if (peek() === '(') {
      take('(');
      const args: Node[] = [];
      while (peek() !== ')') {
        args.push(or());
        if (peek() === ',') take(',');
      }
      take(')');
      return { kind: 'call', name: token, args };
    }
    return { kind: 'field', name: token };
  };
  const comparison = (): Node => {
    const left = primary();
    const op = peek();
    if (op === 'eq' || op === 'ne') {
      take();
      return { kind: 'op', op, left, right: primary() };
    }
    return left;
  };
  const and = (): Node => {
    let left = comparison();
    while (peek() === 'and') {
      take();
      left = { kind: 'op', op: 'and', left, right: comparison() };
    }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (peek() === 'or') {
      take();
      left = { kind: 'op', op: 'or', left, right: and() };
    }
    return left;
  };
  const tree = or();
  if (i !== tokens.length) throw new Error('$filter: unexpected text after the expression');
  return (row) => evaluate(tree, row) === true;
}

function evaluate(node: Node, row: Row): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'field': {
      const value = row[node.name];
      return typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value) ? value.toLowerCase() : ((value as Value | undefined) ?? null);
    }
    case 'not':
      return !evaluate(node.operand, row);
    case 'call': {
      if (node.name !== 'substringof' || node.args.length !== 2) throw new Error(`$filter: unknown function ${node.name}`);
      const needle = evaluate(node.args[0]!, row);
      const haystack = evaluate(node.args[1]!, row);
      return typeof needle === 'string' && typeof haystack === 'string' && haystack.includes(needle);
    }
    case 'op': {
      if (node.op === 'and') return evaluate(node.left, row) === true && evaluate(node.right, row) === true;
      if (node.op === 'or') return evaluate(node.left, row) === true || evaluate(node.right, row) === true;
      const equal = evaluate(node.left, row) === evaluate(node.right, row);
      return node.op === 'eq' ? equal : !equal;
    }
  }
}
