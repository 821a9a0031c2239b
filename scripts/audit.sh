#!/usr/bin/env bash
# make audit: known vulnerabilities in the pinned Python packages (pip-audit, PyPI's advisory
# data) and the npm packages (npm audit). Fails on a known vulnerability. When an advisory
# service cannot be reached it says so in capitals and, unless AUDIT_STRICT=1, does not
# fail: an unreachable service is not a pass, and the output says that nothing was checked.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
venv=var/audit-venv
status=0
unchecked=()

if [ ! -x "$venv/bin/pip-audit" ]; then
  "$PYTHON" -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements-audit.txt \
    || { echo "Could not install pip-audit (requirements-audit.txt)." >&2; exit 1; }
fi

reachable() {  # reachable URL: the advisory service answers with advisories, not an error page
  "$PYTHON" - "$1" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=15) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception as exc:
    print(f"({exc})", file=sys.stderr)
    sys.exit(1)
PY
}

echo "== Python packages (requirements.txt, requirements-dev.txt)"
if reachable "https://pypi.org/pypi/django/json"; then
  "$venv/bin/pip-audit" --progress-spinner off --no-deps --disable-pip --format json --output var/pip-audit.json \
    -r requirements.txt -r requirements-dev.txt 2>/dev/null
  summary=$("$PYTHON" - <<'PY'
import json
deps = json.load(open("var/pip-audit.json"))["dependencies"]
found = [(d["name"], d.get("version", ""), v["id"]) for d in deps for v in d.get("vulns", [])]
skipped = [d["name"] for d in deps if d.get("skip_reason")]
for name, version, vuln in found:
    print(f"VULNERABLE {name} {version}: {vuln}")
print(f"checked {len(deps) - len(skipped)} of {len(deps)} packages; {len(found)} known vulnerabilities")
if skipped:
    print("SKIPPED " + ", ".join(skipped))
PY
)
  echo "$summary" | grep -v "^SKIPPED"
  echo "$summary" | grep -q "^VULNERABLE" && status=1
  skipped=$(echo "$summary" | grep "^SKIPPED" | sed 's/^SKIPPED //')
  [ -n "$skipped" ] && unchecked+=("Python: PyPI has no advisory record here for these packages, so they were not audited: $skipped")
else
  unchecked+=("Python: PyPI's advisory data (https://pypi.org/pypi/<package>/json) cannot be reached")
fi

echo "== npm packages (package-lock.json)"
npm_out=$(npm audit --audit-level=moderate 2>&1); npm_rc=$?
echo "$npm_out" | tail -n 20
if [ $npm_rc -ne 0 ]; then
  if echo "$npm_out" | grep -Eq "audit endpoint returned an error|ENOTFOUND|ETIMEDOUT|ECONNREFUSED|EAI_AGAIN|ECONNRESET"; then
    unchecked+=("npm: the registry's audit endpoint cannot be reached")
  else
    status=1
  fi
fi

for reason in "${unchecked[@]}"; do
  echo "DEPENDENCY AUDIT NOT DONE: $reason. Nothing was checked there; run 'make audit' where it can be reached."
done
if [ ${#unchecked[@]} -gt 0 ] && [ "${AUDIT_STRICT:-0}" = 1 ]; then status=1; fi
[ $status -eq 0 ] && [ ${#unchecked[@]} -eq 0 ] && echo "No known vulnerabilities."
exit $status
