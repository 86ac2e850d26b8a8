// A quote's totals while its form is typed in, worked out as the quotes service's
// totals.py does (each line's net rounded half up, the quote's discount spread over the
// rates' bases with the leftover cents to the largest, VAT per rate). Decimals are exact:
// integers with a scale (12.34 is 1234n at scale 2), never floats. What the page shows
// after saving is the service's answer; this is only a preview.

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)$/;
const HUNDRED = { units: 100n, scale: 0 };
const ZERO = { units: 0n, scale: 0 };

// "1 234,50" or "1234.50" as a decimal; null when it is not a number.
export function parseDecimal(text) {
  const cleaned = String(text ?? "").replace(/[\s\u00a0\u202f\u2009']/g, "").replace(",", ".");
  if (!NUMBER.test(cleaned)) return null;
  const negative = cleaned.startsWith("-");
  const [whole, fraction = ""] = cleaned.replace("-", "").split(".");
  const units = BigInt((whole || "0") + fraction);
  return { units: negative ? -units : units, scale: fraction.length };
}

function rescaled(value, scale) {
  return value.units * 10n ** BigInt(scale - value.scale);
}

function add(a, b) {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescaled(a, scale) + rescaled(b, scale), scale };
}

function subtract(a, b) {
  return add(a, { units: -b.units, scale: b.scale });
}

function multiply(a, b) {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

function compare(a, b) {
  const scale = Math.max(a.scale, b.scale);
  const difference = rescaled(a, scale) - rescaled(b, scale);
  return difference > 0n ? 1 : difference < 0n ? -1 : 0;
}

// numerator / denominator rounded half up (away from zero, as Python's ROUND_HALF_UP).
function divideRounded(numerator, denominator) {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let quotient = n / d;
  if (2n * (n % d) >= d) quotient += 1n;
  return negative ? -quotient : quotient;
}

// a / b rounded to `places` decimals.
function divide(a, b, places) {
  const numerator = a.units * 10n ** BigInt(places + b.scale);
  const denominator = b.units * 10n ** BigInt(a.scale);
  return { units: divideRounded(numerator, denominator), scale: places };
}

function round(value, places) {
  if (value.scale <= places) return { units: rescaled(value, places), scale: places };
  return { units: divideRounded(value.units, 10n ** BigInt(value.scale - places)), scale: places };
}

function lineNet(line, places) {
  const gross = multiply(line.quantity, line.unitPrice);
  if (!line.discount) return round(gross, places);
  if (line.discount.kind === "percent") {
    return divide(multiply(gross, subtract(HUNDRED, line.discount.value)), HUNDRED, places);
  }
  return round(subtract(gross, line.discount.value), places);
}

// The rates' bases scaled to `total` in proportion; the rounding's leftover cents go to
// the largest base (on a tie, the highest rate).
function spread(bases, total, places) {
  const before = [...bases.values()].reduce((sum, base) => add(sum, base), ZERO);
  if (compare(before, total) === 0 || before.units === 0n) return bases;
  const shares = new Map();
  for (const [rate, base] of bases) shares.set(rate, divide(multiply(base, total), before, places));
  let largest = null;
  for (const [rate, base] of bases) {
    const better =
      largest === null ||
      compare(base, bases.get(largest)) > 0 ||
      (compare(base, bases.get(largest)) === 0 && compare(parseDecimal(rate), parseDecimal(largest)) > 0);
    if (better) largest = rate;
  }
  const given = [...shares.values()].reduce((sum, share) => add(sum, share), ZERO);
  shares.set(largest, add(shares.get(largest), subtract(total, given)));
  return shares;
}

// lines: [{quantity, unitPrice, vatRate, discount: {kind, value} | null, counted, section}]
// with decimals from parseDecimal; sections: their keys. Amounts come back as decimals.
export function computeTotals(lines, { sections = [], discount = null, places = 2 } = {}) {
  const zero = round(ZERO, places);
  const nets = lines.map((line) => lineNet(line, places));
  const subtotals = new Map(sections.map((key) => [key, zero]));
  const bases = new Map();
  let linesTotal = zero;
  lines.forEach((line, index) => {
    if (!line.counted) return;
    const net = nets[index];
    linesTotal = add(linesTotal, net);
    if (subtotals.has(line.section)) subtotals.set(line.section, add(subtotals.get(line.section), net));
    const rate = normalise(line.vatRate);
    bases.set(rate, add(bases.get(rate) ?? zero, net));
  });
  let discountAmount = zero;
  if (discount) {
    discountAmount =
      discount.kind === "percent"
        ? divide(multiply(linesTotal, discount.value), HUNDRED, places)
        : round(discount.value, places);
  }
  const withoutTax = subtract(linesTotal, discountAmount);
  const taxes = [...spread(bases, withoutTax, places)]
    .map(([rate, base]) => ({ rate, base, tax: divide(multiply(base, parseDecimal(rate)), HUNDRED, places) }))
    .sort((a, b) => compare(parseDecimal(b.rate), parseDecimal(a.rate)));
  const totalTax = taxes.reduce((sum, tax) => add(sum, tax.tax), zero);
  return {
    nets,
    subtotals,
    linesTotal,
    discount: discountAmount,
    withoutTax,
    taxes,
    totalTax,
    withTax: add(withoutTax, totalTax),
  };
}

// A rate's one spelling, so that 20 and 20.0 are one rate.
function normalise(value) {
  const written = toNumberString(value);
  return written.includes(".") ? written.replace(/0+$/, "").replace(/\.$/, "") : written;
}

// The decimal written with a point ("1234.50"), for Intl to format.
export function toNumberString(value) {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, "0");
  const whole = digits.slice(0, digits.length - value.scale);
  const fraction = value.scale ? `.${digits.slice(digits.length - value.scale)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}
