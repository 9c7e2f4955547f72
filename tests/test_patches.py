"""bot/patches/: each piece answers as the library's own code on the same inputs, and
none runs on another version of the library than the one it was written for."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import numpy as np
import pytest
import rasa
import sklearn
import yarl
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig
from scipy.sparse import csr_matrix, hstack, vstack
from scipy.sparse import random as sparse_random
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from yarl import URL

from bot import patches
from bot.nlu.intent_classifier import CountsTfidf
from bot.patches import aiohttp_url, rasa_speedups, sklearn_proba

ROOT = Path(__file__).resolve().parent.parent

# --- versions -------------------------------------------------------------------------


def test_the_versions_written_for_are_the_pinned_ones() -> None:
    pins = dict(
        re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line).groups()  # type: ignore[union-attr]
        for line in (ROOT / "constraints.txt").read_text("utf-8").split()
    )
    assert {name: pins[name] for name in patches.WRITTEN_FOR} == patches.WRITTEN_FOR


@pytest.mark.parametrize(
    ("module", "install"),
    [
        (rasa, patches.install_rasa),
        (aiohttp, patches.install_rasa),  # Rasa's action calls go through its sessions
        (aiohttp, patches.install_web),
        (yarl, patches.install_web),
    ],
)
def test_install_refuses_another_version_and_installs_nothing(
    module: Any, install: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    originals = [
        (RemoteAction, "_validate_action_result", rasa_speedups.RASA_VALIDATE_ACTION_RESULT),
        (EndpointConfig, "session", rasa_speedups.RASA_SESSION),
        (Event, "resolve_by_type", staticmethod(rasa_speedups.RASA_RESOLVE_BY_TYPE)),
        (web.BaseRequest, "url", aiohttp_url.AIOHTTP_URL),
    ]
    for owner, name, original in originals:
        monkeypatch.setattr(owner, name, original)
    monkeypatch.setattr(module, "__version__", "99.0.0")
    with pytest.raises(RuntimeError, match=re.escape(f"this is {module.__name__} 99.0.0")):
        install()
    for owner, name, original in originals:
        assert owner.__dict__[name] is original, name


def test_the_tracker_store_refuses_another_rasa_instead_of_falling_back_to_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rasa builds the store endpoints.yml names and replaces it by its in-memory store
    on an ImportError: the refusal must not be one."""
    from rasa.core.tracker_store import create_tracker_store
    from rasa.shared.core.domain import Domain

    config = EndpointConfig(url="sqlite://", type="bot.tracker_store.TunedSQLTrackerStore")
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(RuntimeError, match="3.6.21"):
        create_tracker_store(config, Domain.empty())


def test_the_action_server_refuses_another_rasa_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa_sdk

    from bot.action_server import ActionServerConfig, create_app

    monkeypatch.setattr(rasa_sdk, "__version__", "3.7.0")
    with pytest.raises(RuntimeError, match=r"rasa-sdk 3\.6\.2; this is rasa-sdk 3\.7\.0"):
        create_app(ActionServerConfig())


def test_the_widget_channel_refuses_another_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa

    from bot.channels.socketio import ChatSocketIOInput

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(RuntimeError, match=r"rasa 3\.6\.21; this is rasa 3\.7\.0"):
        ChatSocketIOInput(allowed_origins=[])
    monkeypatch.setattr(rasa, "__version__", "3.6.21")
    assert ChatSocketIOInput(allowed_origins=[]).allowed_origins == []


def test_the_intent_classifier_refuses_another_scikit_learn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.nlu.intent_classifier import TfidfLogisticRegressionClassifier as Classifier

    monkeypatch.setattr(sklearn, "__version__", "1.2.0")
    with pytest.raises(RuntimeError, match=r"scikit-learn 1\.1\.3; this is scikit-learn 1\.2"):
        Classifier(
            Classifier.get_default_config(), "clf", LocalModelStorage(tmp_path), Resource("c")
        )


# --- rasa_speedups: Rasa's per-message costs ----------------------------------------


def test_memoised_event_lookup_resolves_every_type_as_rasa_does() -> None:
    patches.install_rasa()
    patches.install_rasa()  # idempotent
    assert Event.resolve_by_type.cache_info  # type: ignore[attr-defined]
    rasas = rasa_speedups.RASA_RESOLVE_BY_TYPE
    for name in [cls.type_name for cls in all_subclasses(Event)] + ["topic"]:
        assert Event.resolve_by_type(name) is rasas(name), name
    assert Event.resolve_by_type("nope", SlotSet) is rasas("nope", SlotSet) is SlotSet
    for resolve in (Event.resolve_by_type, rasas):
        with pytest.raises(ValueError, match="Unknown event name 'nope'"):
            resolve("nope")


VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "language", "value": "en"}], "responses": []},
    {"responses": [{"response": "utter_greet"}]},
]
INVALID = [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [{"text": 3}], "events": [{"name": "x"}]},
]


@pytest.fixture
def action() -> RemoteAction:
    patches.install_rasa()
    return RemoteAction("action_check_registration", None)


@pytest.mark.parametrize("result", VALID)
def test_valid_replies_pass_as_with_rasa(action: RemoteAction, result: dict[str, Any]) -> None:
    assert rasa_speedups.RASA_VALIDATE_ACTION_RESULT(action, result) is True
    assert action._validate_action_result(result) is True


@pytest.mark.parametrize("result", INVALID)
def test_invalid_replies_fail_as_with_rasa(action: RemoteAction, result: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError) as rasas:
        rasa_speedups.RASA_VALIDATE_ACTION_RESULT(action, result)
    with pytest.raises(jsonschema.ValidationError) as ours:
        action._validate_action_result(result)
    assert ours.value.message == rasas.value.message
    assert list(ours.value.path) == list(rasas.value.path)
    assert "Failed to validate Action server response" in ours.value.message


async def test_action_calls_reuse_one_connection_with_rasas_answers(
    aiohttp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa opens a session, so a connection, per action call; kept, it is reused.
    The answers are those of Rasa's own `EndpointConfig.request`."""
    peers: list[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        return web.json_response({"events": [], "echo": await request.json()})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    server = await aiohttp_server(app)
    url = str(server.make_url("/webhook"))

    async def three_calls() -> list[Any]:
        endpoint = EndpointConfig(url, headers={"X": "1"})
        return [await endpoint.request(json={"n": n}, method="post") for n in range(3)]

    patches.install_rasa()
    ours = await three_calls()
    our_peers = set(peers)
    peers.clear()
    monkeypatch.setattr(EndpointConfig, "session", rasa_speedups.RASA_SESSION)
    assert await three_calls() == ours == [{"events": [], "echo": {"n": n}} for n in range(3)]
    assert len(our_peers) == 1 and len(set(peers)) == 3


# --- aiohttp_url: Request.url ---------------------------------------------------------


def _request(host: str, path: str = "/staff/login?next=/staff") -> web.Request:
    return make_mocked_request("GET", path, headers={"Host": host})


@pytest.mark.parametrize("host", ["example.org", "localhost", "127.0.0.1"])
def test_request_url_is_aiohttps_where_aiohttp_can_build_it(host: str) -> None:
    assert aiohttp_url._url(_request(host)) == aiohttp_url.AIOHTTP_URL.__get__(
        _request(host), web.Request
    )


@pytest.mark.parametrize("host", ["localhost:8080", "example.org:443", "[::1]", "[::1]:8080"])
def test_request_url_with_a_port_or_ipv6_is_built_from_the_authority(host: str) -> None:
    with pytest.raises(ValueError):  # aiohttp 3.9.5 with yarl 1.25: a bare 500
        aiohttp_url.AIOHTTP_URL.__get__(_request(host), web.Request)
    assert aiohttp_url._url(_request(host)) == URL(f"http://{host}/staff/login?next=/staff")


def test_a_malformed_host_still_routes() -> None:
    url = aiohttp_url._url(_request("bad host"))
    assert (url.path, url.query_string) == ("/staff/login", "next=/staff")


def test_install_web_replaces_request_url() -> None:
    patches.install_web()
    patches.install_web()  # idempotent
    assert _request("localhost:8080").url == URL("http://localhost:8080/staff/login?next=/staff")


# --- sklearn_proba: the intent classifier's probabilities -----------------------------


def _pipeline(
    classes: int = 4, dense: int = 0, solver: str = "lbfgs", sublinear_tf: bool = True
) -> Pipeline:
    """The classifier's pipeline, fitted on counts (and `dense` embedding columns)."""
    counts = sparse_random(150, 60, density=0.15, format="csr", random_state=3)
    counts.data = np.ceil(counts.data * 3)  # counts, as the featurizers give
    rng = np.random.default_rng(4)
    features = hstack([counts, csr_matrix(rng.normal(size=(150, dense)))]).tocsr()
    names = ["ask_dates", "ask_venue", "greet", "bye"][:classes]
    pipeline = Pipeline(
        [
            ("tfidf", CountsTfidf(dense_columns=dense, sublinear_tf=sublinear_tf)),
            ("logreg", LogisticRegression(C=100.0, solver=solver, max_iter=2000)),
        ]
    )
    return pipeline.fit(features, rng.choice(names, 150))


@pytest.mark.parametrize(
    "config",
    [
        {},  # the project's: lbfgs, multinomial (softmax)
        {"solver": "liblinear"},  # one-vs-rest
        {"sublinear_tf": False},
        {"classes": 2},  # one score per message, one-vs-rest
        {"classes": 2, "solver": "liblinear"},
        {"dense": 5},  # an embedding after the counts, not weighted
    ],
)
def test_probabilities_are_scikit_learns(config: dict[str, Any]) -> None:
    pipeline = _pipeline(**config)
    assert sklearn_proba.one_vs_rest(pipeline.named_steps["logreg"]) == (
        config.get("solver") == "liblinear" or config.get("classes") == 2
    )
    probe = sparse_random(40, 60, density=0.15, format="csr", random_state=5)
    probe.data = np.ceil(probe.data * 3)
    dense = np.random.default_rng(6).normal(size=(40, config.get("dense", 0)))
    probe = vstack(
        [hstack([probe, csr_matrix(dense)]), csr_matrix((1, probe.shape[1] + dense.shape[1]))]
    ).tocsr()  # and a message with no feature
    expected = pipeline.predict_proba(probe)
    before = probe.copy()
    ours = sklearn_proba.predict_proba(pipeline, probe)
    assert np.allclose(ours, expected, rtol=0, atol=1e-12)
    assert (probe != before).nnz == 0  # the message's own features are left alone
    # coef_ is kept in Fortran order from the first call on: same answers again.
    assert np.allclose(sklearn_proba.predict_proba(pipeline, probe), expected, rtol=0, atol=1e-12)


class _RecordingServer:
    """What a socket.io server is asked to emit."""

    def __init__(self) -> None:
        self.emitted: list[tuple[Any, ...]] = []

    async def emit(self, *args: Any, **kwargs: Any) -> None:
        self.emitted.append((args, sorted(kwargs.items())))


async def test_the_widget_output_sends_what_rasas_socketio_output_sends() -> None:
    """CountingSocketIOOutput overrides SocketIOOutput._send_message only to count: the
    same emits as Rasa's own output for every kind of message, and one count per emit."""
    from rasa.core.channels.socketio import SocketIOOutput

    from bot.channels.socketio import CountingSocketIOOutput

    async def send_all(output: SocketIOOutput) -> None:
        await output.send_text_message("room-1", "Bonjour.\n\nDeux parties.")
        await output.send_image_url("room-1", "https://example.org/a.png")
        await output.send_text_with_buttons(
            "room-1", "Choisissez :", [{"title": "Dates", "payload": "/ask_dates"}]
        )
        await output.send_custom_json("room-1", {"kind": "custom"})

    ours, theirs = _RecordingServer(), _RecordingServer()
    counting = CountingSocketIOOutput(ours, "bot_uttered")
    await send_all(counting)
    await send_all(SocketIOOutput(theirs, "bot_uttered"))
    assert ours.emitted == theirs.emitted
    assert counting.sent == len(theirs.emitted) == 5
