"""Rasa's own checks: the training data validates, and the test stories pass."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).parent / "rasa")
# Rasa's validator only looks at stories and rules, so it calls "unused" the
# responses that Rasa itself (utter_default), the REST channel
# (utter_service_unavailable), forms (utter_ask_<slot>) and custom actions
# (actions/registration.py, actions/answers.py) send; and the intents that only the
# channels (bot/channels/common.py) or the FactDetector (ask_question, ask_fact) set have, by
# design, no training examples.
KNOWN_WARNINGS = [
    re.compile(
        r"The utterance '(utter_default|utter_service_unavailable|utter_ask_\w+|"
        r"utter_registration_\w+|utter_invitees|utter_language_switched)'"
        r" is not used in any story or rule"
    ),
    re.compile(
        r"The intent '(unsupported_message|edited_message|message_too_long|ask_question|"
        r"ask_fact|ask_own_status)' is "
        r"listed in the domain file, "
        r"but is not found in the NLU training data"
    ),
]


def rasa(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LOG_LEVEL": "INFO",
        "TRACKER_STORE_URL": "sqlite://",
        "ACTION_ENDPOINT_URL": "http://127.0.0.1:9/webhook",
    }
    return subprocess.run(
        [RASA, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.slow
def test_data_validates_without_warnings() -> None:
    run = rasa("data", "validate", "--domain", "domain.yml", "--data", "data")
    assert run.returncode == 0, run.stdout + run.stderr
    output = run.stdout + run.stderr
    warnings = [
        line
        for line in output.splitlines()
        if "UserWarning" in line and not any(k.search(line) for k in KNOWN_WARNINGS)
    ]
    assert warnings == []


@pytest.mark.slow
def test_stories_in_both_languages_pass(model_path: Path, tmp_path: Path) -> None:
    run = rasa(
        "test",
        "core",
        "--e2e",
        "--model",
        str(model_path),
        "--stories",
        "tests/stories",
        "--fail-on-prediction-errors",
        "--out",
        str(tmp_path),
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-5000:]
    correct, total = map(int, re.search(r"Correct:\s+(\d+) / (\d+)", output).groups())
    assert correct == total >= 7
    assert "None of the test stories failed" in (tmp_path / "failed_test_stories.yml").read_text()
