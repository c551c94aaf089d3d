"""Each SMS gateway adapter over real HTTP, against a local server that speaks its API."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from clinic.sms import (
    DELIVERED,
    FAILED,
    PENDING,
    Report,
    SmsRejected,
    SmsTemporaryError,
    backend_from_url,
)
from clinic.sms import base as sms_base
from clinic.sms.base import http_json
from clinic.sms.local import ConsoleBackend, FileBackend
from clinic.sms.smsc import SmscBackend
from clinic.sms.smsru import SmsRuBackend
from clinic.tests.sms_fakes import FakeSmsc, FakeSmsRu, serving, smsc_url, smsru_url

TEXT = "Smooth Skin Clinic: reminder of your visit on 03.06.2026 at 10:00. http://x/y"


@pytest.fixture
def smsru() -> Iterator[FakeSmsRu]:
    with serving(FakeSmsRu()) as fake:
        yield fake


@pytest.fixture
def smsc() -> Iterator[FakeSmsc]:
    with serving(FakeSmsc()) as fake:
        yield fake


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- SMS_URL ---------------------------------------------------------------------------------


def test_sms_url_names_the_gateway_its_sender_and_credentials(settings: Any) -> None:
    settings.SMS_SENDER = "Default"
    smsru = backend_from_url("smsru://ABC-123@sms.ru?from=SmoothSkin")
    assert isinstance(smsru, SmsRuBackend)
    assert (smsru.base_url, smsru.api_id, smsru.sender) == (
        "https://sms.ru",
        "ABC-123",
        "SmoothSkin",
    )
    smsc = backend_from_url("smsc://clinic:p%40ss@smsc.ru?sender=Clinic")
    assert isinstance(smsc, SmscBackend)
    assert (smsc.base_url, smsc.login, smsc.password) == ("https://smsc.ru", "clinic", "p@ss")
    local = backend_from_url("smsc+http://a:b@127.0.0.1:8151")
    assert isinstance(local, SmscBackend)
    assert (local.base_url, local.sender) == ("http://127.0.0.1:8151", "Default")
    assert isinstance(backend_from_url("console:"), ConsoleBackend)
    default = backend_from_url("")
    assert isinstance(default, FileBackend)
    assert default.folder == Path(settings.SMS_FILE_PATH)


@pytest.mark.parametrize(
    "url", ["carrier-pigeon://x", "smsru://sms.ru", "smsc://login@smsc.ru", "smsru+ftp://a@b"]
)
def test_a_wrong_sms_url_is_a_configuration_error(url: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        backend_from_url(url)


def test_the_file_backend_writes_one_text_file_per_message(tmp_path: Path) -> None:
    backend = backend_from_url(f"file://{tmp_path}/sms?from=Clinic")
    first = backend.send(to="+79001234567", text=TEXT, reference="outbox-1")
    backend.send(to="+79001234567", text="second", reference="outbox-2")
    files = sorted((tmp_path / "sms").glob("*.txt"))
    assert len(files) == 2
    assert (tmp_path / "sms" / f"{first}.txt").read_text() == (
        f"From: Clinic\nTo: +79001234567\n\n{TEXT}\n"
    )


def test_the_console_backend_prints(capsys: pytest.CaptureFixture[str]) -> None:
    backend_from_url("console:?from=Clinic").send(to="+79001234567", text=TEXT, reference="r")
    assert f"To: +79001234567\n\n{TEXT}" in capsys.readouterr().out


# --- SMS.ru ----------------------------------------------------------------------------------


def test_smsru_sends_reports_and_tells_the_balance(smsru: FakeSmsRu) -> None:
    backend = backend_from_url(smsru_url(smsru, sender="SmoothSkin"))
    sms_id = backend.send(to="+79001234567", text=TEXT, reference="outbox-1")
    assert smsru.sent == [{"to": "79001234567", "msg": TEXT, "from": "SmoothSkin"}]
    assert smsru.requests[0][0] == "/sms/send"
    assert smsru.requests[0][1]["json"] == "1"
    assert backend.statuses([(sms_id, "+79001234567")]) == [Report(sms_id, PENDING)]
    smsru.statuses[sms_id] = 103
    assert backend.statuses([(sms_id, "+79001234567")]) == [Report(sms_id, DELIVERED)]
    smsru.statuses[sms_id] = 104
    assert backend.statuses([(sms_id, "+79001234567")]) == [
        Report(sms_id, FAILED, "SMS.ru 104: Expired")
    ]
    assert backend.balance() == Decimal("1234.5")


def test_smsru_throttling_is_temporary(smsru: FakeSmsRu) -> None:
    smsru.mode = "throttle"
    with pytest.raises(SmsTemporaryError, match="231"):
        backend_from_url(smsru_url(smsru)).send(to="+79001234567", text=TEXT, reference="r")
    assert smsru.sent == []


def test_smsru_rejects_a_bad_number_for_good(smsru: FakeSmsRu) -> None:
    smsru.mode = "bad_number"
    with pytest.raises(SmsRejected, match="202: Wrong number"):
        backend_from_url(smsru_url(smsru)).send(to="+79001234567", text=TEXT, reference="r")


def test_smsru_down_is_temporary(smsru: FakeSmsRu) -> None:
    smsru.mode = "down"
    backend = backend_from_url(smsru_url(smsru))
    with pytest.raises(SmsTemporaryError, match="HTTP 503"):
        backend.send(to="+79001234567", text=TEXT, reference="r")
    with pytest.raises(SmsTemporaryError):
        backend.balance()


def test_smsru_wrong_credentials_are_temporary_not_a_rejection(smsru: FakeSmsRu) -> None:
    """A key typed wrong is the clinic's to fix; the patient's message must wait, not fail."""
    url = smsru_url(smsru).replace(FakeSmsRu.API_ID, "WRONG")
    with pytest.raises(SmsTemporaryError, match="200"):
        backend_from_url(url).send(to="+79001234567", text=TEXT, reference="r")


def test_smsru_delivery_callback(smsru: FakeSmsRu) -> None:
    backend = backend_from_url(smsru_url(smsru))
    data = {
        "data[0]": "sms_status\n000000-00000001\n103\n1780000000",
        "data[1]": "sms_status\n000000-00000002\n107\n1780000001",
        "data[2]": "callback_check\n1780000002",
    }
    reports, answer = backend.read_callback(data)
    assert answer == "100"
    assert [(r.gateway_id, r.state) for r in reports] == [
        ("000000-00000001", DELIVERED),
        ("000000-00000002", FAILED),
    ]


# --- SMSC.ru ---------------------------------------------------------------------------------


def test_smsc_sends_reports_and_tells_the_balance(smsc: FakeSmsc) -> None:
    backend = backend_from_url(smsc_url(smsc, sender="SmoothSkin"))
    message_id = backend.send(to="+79001234567", text=TEXT, reference="outbox-1")
    assert smsc.sent == [{"to": "+79001234567", "msg": TEXT, "from": "SmoothSkin"}]
    assert smsc.requests[0][1]["charset"] == "utf-8"
    assert backend.statuses([(message_id, "+79001234567")]) == [Report(message_id, PENDING)]
    smsc.statuses[message_id] = (1, 0)
    assert backend.statuses([(message_id, "+79001234567")]) == [Report(message_id, DELIVERED)]
    smsc.statuses[message_id] = (22, 1)
    assert backend.statuses([(message_id, "+79001234567")]) == [
        Report(message_id, FAILED, "SMSC.ru status 22: wrong number (error 1)")
    ]
    assert smsc.requests[-1][1]["phone"] == "+79001234567"
    assert backend.balance() == Decimal("1234.50")


def test_smsc_throttling_is_temporary(smsc: FakeSmsc) -> None:
    smsc.mode = "throttle"
    with pytest.raises(SmsTemporaryError, match=r"SMSC\.ru 9"):
        backend_from_url(smsc_url(smsc)).send(to="+79001234567", text=TEXT, reference="r")


def test_smsc_rejects_a_bad_number_for_good(smsc: FakeSmsc) -> None:
    smsc.mode = "bad_number"
    with pytest.raises(SmsRejected, match=r"SMSC\.ru 7"):
        backend_from_url(smsc_url(smsc)).send(to="+79001234567", text=TEXT, reference="r")


def test_smsc_down_is_temporary(smsc: FakeSmsc) -> None:
    smsc.mode = "down"
    with pytest.raises(SmsTemporaryError, match="HTTP 503"):
        backend_from_url(smsc_url(smsc)).send(to="+79001234567", text=TEXT, reference="r")


def test_smsc_delivery_callback(smsc: FakeSmsc) -> None:
    reports, answer = backend_from_url(smsc_url(smsc)).read_callback(
        {"id": "17", "phone": "79001234567", "status": "20", "err": "5"}
    )
    assert answer == "OK"
    assert reports == [Report("17", FAILED, "SMSC.ru status 20: cannot be delivered (error 5)")]


@pytest.mark.parametrize("gateway", ["smsru", "smsc"])
def test_texts_share_one_kept_connection_and_one_the_gateway_closed_is_opened_again(
    gateway: str,
) -> None:
    fake = FakeSmsRu() if gateway == "smsru" else FakeSmsc()
    with serving(fake):
        backend = backend_from_url(smsru_url(fake) if gateway == "smsru" else smsc_url(fake))
        for n in range(3):
            backend.send(to=f"+7900123456{n}", text=TEXT, reference=f"r{n}")
        assert (len(fake.sent), fake.connections) == (3, 1)
        fake.close_connections()  # idle too long: the gateway hung up
        backend.send(to="+79001234569", text=TEXT, reference="r9")
    # The text after the hang-up went once, over a new connection.
    assert (len(fake.sent), fake.connections) == (4, 2)
    assert [sent["to"].lstrip("+") for sent in fake.sent] == [
        "79001234560",
        "79001234561",
        "79001234562",
        "79001234569",
    ]


def test_a_gateway_nobody_answers_at_is_temporary(settings: Any) -> None:
    settings.SMS_TIMEOUT_SECONDS = 2
    port = free_port()
    for url in (f"smsru+http://k@127.0.0.1:{port}", f"smsc+http://a:b@127.0.0.1:{port}"):
        with pytest.raises(SmsTemporaryError, match="unreachable"):
            backend_from_url(url).send(to="+79001234567", text=TEXT, reference="r")


# --- the environment's proxy -----------------------------------------------------------------


@pytest.fixture
def fresh_pools() -> Iterator[None]:
    """Connections opened in the test read the environment the test sets (they keep it)."""
    sms_base._kept.__dict__.clear()
    yield
    sms_base._kept.__dict__.clear()


def test_a_proxy_from_the_environment_carries_the_texts(
    smsru: FakeSmsRu, monkeypatch: pytest.MonkeyPatch, fresh_pools: None
) -> None:
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{smsru.port}")  # the fake as the proxy
    for _ in range(2):  # read once, used for every text
        with contextlib.suppress(SmsTemporaryError):
            http_json("http://sms.example.test/sms/send", {"to": "79001234567"}, timeout=5)
    assert [path for path, _form in smsru.requests] == ["http://sms.example.test/sms/send"] * 2
