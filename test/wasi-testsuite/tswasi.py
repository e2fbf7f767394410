"""wasi-testsuite runtime adapter for tswasi (WASI preview1 host in TypeScript).

Loaded as a module by the wasi-testsuite test runner
(https://github.com/WebAssembly/wasi-testsuite, branch prod/testsuite-base):

    python3 $TESTSUITE/test-runner/wasi_test_runner.py \
        -r test/wasi-testsuite/tswasi.py -t $TESTSUITE/tests/rust/testsuite/wasm32-wasip1

The command used to launch tswasi defaults to
`node <repo>/dist/src/cli/tswasi.js` and can be overridden with the
TSWASI environment variable (split with shell quoting rules), e.g.
TSWASI="node --stack-size=4000 /path/to/tswasi.js".
The per-test timeout (seconds) can be set with TSWASI_TIMEOUT (default 20).
"""
import os
import shlex
import subprocess
from pathlib import Path
from typing import Dict, List, Optional, Tuple

_REPO = Path(__file__).resolve().parents[2]
_DEFAULT_CLI = _REPO / "dist" / "src" / "cli" / "tswasi.js"

TSWASI = shlex.split(os.getenv("TSWASI", f"node {shlex.quote(str(_DEFAULT_CLI))}"),
                     posix=os.name != "nt")


def get_name() -> str:
    return "tswasi"


def get_version() -> str:
    # Raising FileNotFoundError/CalledProcessError marks the adapter as
    # unavailable for the runner, so check the entry point exists.
    script = next((a for a in TSWASI[1:] if a.endswith(".js")), None)
    if script is not None and not Path(script).exists():
        raise FileNotFoundError(script)
    try:
        pkg = _REPO / "package.json"
        import json  # pylint: disable=import-outside-toplevel
        with open(pkg, encoding="utf-8") as f:
            return str(json.load(f).get("version", "unknown"))
    except (OSError, ValueError):
        pass
    result = subprocess.run(TSWASI + ["--version"], encoding="UTF-8",
                            capture_output=True, check=False)
    out = result.stdout.strip().splitlines()
    return out[0].split(" ")[-1] if out else "unknown"


def get_wasi_versions() -> List[str]:
    return ["wasm32-wasip1"]


def get_wasi_worlds() -> List[str]:
    return ["wasi:cli/command"]


def get_timeout_seconds() -> float:
    return float(os.getenv("TSWASI_TIMEOUT", "20"))


def compute_argv(test_path: str,
                 args_env_root: Tuple[List[str], Dict[str, str], Optional[str]],
                 proposals: List[str],
                 wasi_world: str,
                 wasi_version: str) -> List[str]:
    # pylint: disable=unused-argument
    args, env, root = args_env_root
    argv = list(TSWASI) + ["run"]
    for k, v in env.items():
        argv += ["--env", f"{k}={v}"]
    if root:
        argv += ["--dir", f"{root}::/"]
    argv += [test_path]
    argv += args
    return argv
