"""The browser's conditions and formulas (the gateway's field-logic.js) agree with the
signing service's on every shared case: a template behaves the same as one types and
when the service checks the submission."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from portico.kit.testing.backends import unavailable

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "services/gateway/src/portico/gateway/areas/signing/static/js/field-logic.js"
CASES = ROOT / "services/signing/tests/cases/expressions.json"

CHECK = """
import { readFileSync } from "node:fs";
import { FormulaError, evaluateFormula, parseFormula, ruleHolds } from "SCRIPT";
const cases = JSON.parse(readFileSync("CASES", "utf8"));
const failures = [];
let count = 0;
for (const item of cases.formulas) {
  count += 1;
  const got = evaluateFormula(parseFormula(item.formula), item.values);
  if (got !== item.expected) failures.push(`${item.formula}: ${got} != ${item.expected}`);
}
for (const item of cases.invalid_formulas) {
  count += 1;
  try {
    parseFormula(item.formula);
    failures.push(`${JSON.stringify(item.formula)} was accepted`);
  } catch (error) {
    if (!(error instanceof FormulaError) || error.position !== item.position) {
      failures.push(`${JSON.stringify(item.formula)}: ${error.message} at ${error.position}`);
    }
  }
}
for (const item of cases.conditions) {
  count += 1;
  const got = ruleHolds(item.rule, item.values);
  if (got !== item.expected) failures.push(`${JSON.stringify(item.rule)}: ${got}`);
}
console.log(JSON.stringify({ count, failures }));
"""


def test_the_browser_evaluates_every_shared_case_as_the_service_does(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js is not installed")
        return
    # As an ES module whatever Node makes of a plain .js file outside a "type": "module".
    module = tmp_path / "field-logic.mjs"
    module.write_text(SCRIPT.read_text())
    script = CHECK.replace("SCRIPT", module.as_uri()).replace("CASES", str(CASES))
    ran = subprocess.run(
        [node, "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr

    outcome = json.loads(ran.stdout)
    assert outcome["failures"] == []
    assert outcome["count"] >= 60
