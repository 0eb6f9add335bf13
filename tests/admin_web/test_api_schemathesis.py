"""Schemathesis against the served OpenAPI document: no 5xx, every answer matches its schema.

Runs ``st run`` (schemathesis' CLI) against ``jingwei serve --demo`` on a free port with the
demo token. Deterministic by default; ``JINGWEI_ST_SEED`` and ``JINGWEI_ST_EXAMPLES`` widen it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from served import Served

CHECKS = ",".join(
    (
        "not_a_server_error",
        "response_schema_conformance",
        "status_code_conformance",
        "content_type_conformance",
    )
)


def test_the_api_conforms_to_its_openapi_document(tmp_path: Path) -> None:
    st = Path(sys.executable).with_name("st")
    with Served(tmp_path, "--demo") as served:
        result = subprocess.run(
            [
                str(st),
                "run",
                served.banner["urls"]["openapi"],
                "--header",
                f"Authorization: Bearer {served.banner['token']}",
                "--checks",
                CHECKS,
                "--max-examples",
                os.environ.get("JINGWEI_ST_EXAMPLES", "25"),
                "--seed",
                os.environ.get("JINGWEI_ST_SEED", "20261125"),
                "--workers",
                "2",
                "--request-timeout",
                "20",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=540,
            env={**os.environ, "NO_COLOR": "1"},
        )
        server_log = served.stderr()
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
    assert "internal error" not in server_log, server_log
