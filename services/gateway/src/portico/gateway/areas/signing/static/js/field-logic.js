// Conditions and formulas of a template's fields, as the signing service evaluates them
// (portico.signing.fields.conditions and .formulas): the same grammar, the same numbers,
// the same rounding. The cases both must agree on are in the signing service's tests
// (cases/expressions.json); the service decides on submission, this shows it as one types.

const MAX_LENGTH = 500;
const MAX_DEPTH = 32;
const TOKEN = /\s*(?:(\d+(?:\.\d+)?|\.\d+)|\{([^{}]+)\}|([a-z_]+)|([-+*/%(),]))/y;

export class FormulaError extends Error {
  constructor(message, position) {
    super(message);
    this.position = position;
  }
}

// A field's value as a number: "1 234,50" and "1,234.5" read; empty is 0; other text null.
export function toNumber(value) {
  if (value === null || value === undefined || value === "" || value === false) return 0;
  if (value === true) return 1;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  let text = String(value).replace(/[\s\u00a0\u202f]/g, "");
  if (!text) return 0;
  if (text.includes(",") && !text.includes(".")) text = text.replace(/,/g, ".");
  else if (text.includes(",")) text = text.replace(/,/g, "");
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return null;
  return parseFloat(text);
}

export function roundHalfAway(value, digits = 0) {
  const scale = 10 ** Math.max(0, Math.min(digits, 10));
  const rounded = Math.floor(Math.abs(value) * scale + 0.5) / scale;
  return value < 0 ? -rounded : rounded;
}

const ARITY = { sum: [1, Infinity], min: [1, Infinity], max: [1, Infinity], round: [1, 2], abs: [1, 1], floor: [1, 1], ceil: [1, 1] };
const FUNCTIONS = {
  sum: (a) => a.reduce((total, x) => total + x, 0),
  min: (a) => Math.min(...a),
  max: (a) => Math.max(...a),
  round: (a) => roundHalfAway(a[0], a.length === 2 ? Math.trunc(a[1]) : 0),
  abs: (a) => Math.abs(a[0]),
  floor: (a) => Math.floor(a[0]),
  ceil: (a) => Math.ceil(a[0]),
};

function tokens(text) {
  const found = [];
  let position = 0;
  while (position < text.length) {
    if (text.slice(position).trim() === "") break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(text);
    if (!match) {
      const start = text.length - text.slice(position).trimStart().length;
      throw new FormulaError(`Unexpected character “${text[start]}”.`, start);
    }
    const start = match.index + match[0].length - match[0].trimStart().length;
    if (match[1] !== undefined) found.push(["number", match[1], start]);
    else if (match[2] !== undefined) found.push(["field", match[2], start]);
    else if (match[3] !== undefined) found.push(["name", match[3], start]);
    else found.push(["symbol", match[4], start]);
    position = TOKEN.lastIndex;
  }
  return found;
}

export function parseFormula(text) {
  if (text.length > MAX_LENGTH) {
    throw new FormulaError(`A formula has at most ${MAX_LENGTH} characters.`, MAX_LENGTH);
  }
  const list = tokens(text);
  let index = 0;
  let depth = 0;
  const peek = () => list[index];
  const position = () => (list[index] ? list[index][2] : text.length);
  const take = (symbol) => {
    const token = peek();
    if (token && token[0] === "symbol" && token[1] === symbol) {
      index += 1;
      return true;
    }
    return false;
  };
  const expect = (symbol) => {
    if (!take(symbol)) throw new FormulaError(`“${symbol}” expected.`, position());
  };
  const deeper = () => {
    depth += 1;
    if (depth > MAX_DEPTH) throw new FormulaError("The formula is nested too deeply.", position());
  };
  function expression() {
    deeper();
    let node = term();
    for (;;) {
      if (take("+")) node = { op: "+", left: node, right: term() };
      else if (take("-")) node = { op: "-", left: node, right: term() };
      else break;
    }
    depth -= 1;
    return node;
  }
  function term() {
    let node = unary();
    for (;;) {
      const operator = ["*", "/", "%"].find((symbol) => take(symbol));
      if (!operator) return node;
      node = { op: operator, left: node, right: unary() };
    }
  }
  function unary() {
    if (take("-")) {
      deeper();
      const operand = unary();
      depth -= 1;
      return { negate: operand };
    }
    if (take("+")) return unary();
    return primary();
  }
  function primary() {
    const token = peek();
    if (!token) throw new FormulaError("The formula ends too soon.", text.length);
    const [kind, value, at] = token;
    index += 1;
    if (kind === "number") return { number: parseFloat(value) };
    if (kind === "field") return { field: value.trim() };
    if (kind === "name") {
      if (!(value in FUNCTIONS)) throw new FormulaError(`Unknown function “${value}”.`, at);
      expect("(");
      const args = [expression()];
      while (take(",")) args.push(expression());
      expect(")");
      const [least, most] = ARITY[value];
      if (args.length < least || args.length > most) {
        throw new FormulaError(`Wrong number of values given to “${value}”.`, at);
      }
      return { call: value, args };
    }
    if (value === "(") {
      const node = expression();
      expect(")");
      return node;
    }
    throw new FormulaError(`Unexpected “${value}”.`, at);
  }
  if (!list.length) throw new FormulaError("The formula is empty.", 0);
  const tree = expression();
  if (index < list.length) throw new FormulaError(`Unexpected “${list[index][1]}”.`, list[index][2]);
  return tree;
}

const UNDEFINED = Symbol("undefined");

function evaluate(node, values) {
  if ("number" in node) return node.number;
  if ("field" in node) {
    const number = toNumber(values[node.field]);
    if (number === null) throw UNDEFINED;
    return number;
  }
  if ("negate" in node) return -evaluate(node.negate, values);
  if ("call" in node) return FUNCTIONS[node.call](node.args.map((arg) => evaluate(arg, values)));
  const a = evaluate(node.left, values);
  const b = evaluate(node.right, values);
  if ((node.op === "/" || node.op === "%") && b === 0) throw UNDEFINED;
  if (node.op === "+") return a + b;
  if (node.op === "-") return a - b;
  if (node.op === "*") return a * b;
  if (node.op === "/") return a / b;
  return a % b;
}

// The formula's value for these values, or null when it has none.
export function evaluateFormula(tree, values) {
  try {
    const result = evaluate(tree, values);
    return Number.isFinite(result) ? result + 0 : null;
  } catch (error) {
    if (error === UNDEFINED) return null;
    throw error;
  }
}

export function isEmpty(value) {
  if (value === null || value === undefined || value === false) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

function asText(value) {
  if (value === true) return "true";
  if (value === null || value === undefined || value === false) return "";
  if (typeof value === "number") return String(value);
  return String(value).trim().toLowerCase();
}

function equals(actual, expected) {
  if (Array.isArray(actual)) return actual.some((item) => equals(item, expected));
  if (typeof actual === "number") {
    const number = toNumber(expected);
    return number !== null && expected.trim() !== "" && actual === number;
  }
  return asText(actual) === asText(expected);
}

function contains(actual, expected) {
  if (Array.isArray(actual)) return actual.some((item) => equals(item, expected));
  return asText(actual).includes(asText(expected));
}

function compares(operator, actual, expected) {
  if (isEmpty(actual) || !expected.trim()) return false;
  const a = toNumber(actual);
  const b = toNumber(expected);
  if (a === null || b === null) return false;
  if (operator === "greater_than") return a > b;
  if (operator === "less_than") return a < b;
  if (operator === "at_least") return a >= b;
  return a <= b;
}

export function conditionHolds(condition, values) {
  const actual = values[condition.field];
  const expected = condition.value ?? "";
  switch (condition.operator) {
    case "empty": return isEmpty(actual);
    case "not_empty": return !isEmpty(actual);
    case "equals": return equals(actual, expected);
    case "not_equals": return !equals(actual, expected);
    case "contains": return contains(actual, expected);
    case "not_contains": return !contains(actual, expected);
    default: return compares(condition.operator, actual, expected);
  }
}

export function ruleHolds(rule, values) {
  const results = rule.conditions.map((condition) => conditionHolds(condition, values));
  return rule.join === "any" ? results.some(Boolean) : results.every(Boolean);
}
