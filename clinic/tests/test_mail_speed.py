"""`clinic.mail_speed` writes what Django's MIME writer writes: read back with the standard
library, both give the same headers, the same parts and the same contents."""

# ruff: noqa: RUF001 (Russian text)

from __future__ import annotations

import datetime as dt
import email
import smtplib
from email.message import EmailMessage as ParsedMessage
from email.mime.base import MIMEBase
from email.policy import default
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from django.core.mail import BadHeaderError, EmailMessage, EmailMultiAlternatives, get_connection

from clinic import mail_speed
from clinic.mail import SmtpBackend
from patients.tests.smtp_sink import SmtpSink

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//clinic//EN\r\nBEGIN:VEVENT\r\n"
    "UID:1@clinic\r\nSUMMARY:Визит\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()
PDF = bytes(range(256)) * 9


def _reminder(**overrides: Any) -> EmailMultiAlternatives:
    fields: dict[str, Any] = {
        "subject": "Напоминание: ваш визит 8 декабря 2026 в 12:57",
        "body": "Здравствуйте, Анна!\n\nЖдём вас.\n.\nСсылка: http://x/r/1/\n",
        "from_email": "Smooth Skin Clinic <care@clinic.local>",
        "to": ["anna@example.test"],
        "headers": {"Message-ID": "<outbox-1@clinic.local>"},
        **overrides,
    }
    message = EmailMultiAlternatives(**fields)
    message.attach_alternative("<p>Здравствуйте, <b>Анна</b>!</p>\n<p>Ждём вас.</p>", "text/html")
    return message


def _shapes() -> dict[str, EmailMessage]:
    with_files = _reminder()
    with_files.attach("appointment.ics", ICS, "text/calendar")
    with_files.attach("plan.pdf", PDF, "application/pdf")
    plain = EmailMessage("Your code", "Your code is 123456.\n", "care@clinic.local", ["a@b.test"])
    html_only = EmailMessage("Hi", "<p>Hello</p>", "care@clinic.local", ["a@b.test"])
    html_only.content_subtype = "html"
    files_only = EmailMessage("Export", "", "care@clinic.local", ["a@b.test"])
    files_only.attach("export.pdf", PDF, "application/pdf")
    return {
        "reminder in Russian": _reminder(),
        "with a calendar file and a PDF": with_files,
        "plain text, ASCII": plain,
        "HTML only": html_only,
        "files only": files_only,
        "a Cyrillic name in To, Cc and Reply-To": _reminder(
            to=["Анна Иванова <anna@example.test>", "b@example.test"],
            cc=["Мария <maria@example.test>"],
            reply_to=["Ресепшен <desk@clinic.local>"],
        ),
        "a long ASCII subject": _reminder(subject="Reminder: " + "your visit is soon " * 8),
        "a subject that looks encoded": _reminder(subject="=?utf-8?q?not_really?="),
        "more headers, From among them": _reminder(
            headers={"Message-ID": "<m@x>", "List-Unsubscribe": "<https://x/u>", "From": "d@x.test"}
        ),
        "windows line ends": _reminder(body="one\r\ntwo\rthree\n"),
    }


def _read(content: bytes) -> ParsedMessage:
    parsed = email.message_from_bytes(content, policy=default)
    assert isinstance(parsed, ParsedMessage)
    assert not parsed.defects
    return parsed


def _headers(parsed: ParsedMessage, message: EmailMessage) -> list[tuple[str, str]]:
    """The headers in order, less what is made anew each time (date, boundary, a Message-ID
    not given) and the subject (Django's reads back with a space before it)."""
    made = {"Message-ID"} - set(message.extra_headers)
    return [
        (name, parsed.get_content_type() if name == "Content-Type" else str(value))
        for name, value in parsed.items()
        if name not in {"Date", "Subject", *made}
    ]


def _parts(parsed: ParsedMessage) -> list[tuple[Any, ...]]:
    return [
        (
            part.get_content_type(),
            part.get_content_charset(),
            part.get_filename(),
            None if part.is_multipart() else part.get_content(),
            # The top's headers are compared by _headers.
            [] if part is parsed else [(n, str(v)) for n, v in part.items() if n != "Content-Type"],
        )
        for part in parsed.walk()
    ]


@pytest.mark.parametrize("shape", list(_shapes()))
def test_the_fast_writer_writes_what_django_writes(shape: str) -> None:
    message = _shapes()[shape]
    fast = mail_speed.smtp_bytes(message)
    assert fast is not None
    assert b"\n" not in fast.replace(b"\r\n", b"")  # CRLF line ends only, as SMTP wants
    ours, django = _read(fast), _read(message.message().as_bytes(linesep="\r\n"))
    assert _headers(ours, message) == _headers(django, message)
    assert str(ours["Subject"]) == message.subject
    assert "Message-ID" in ours
    assert _parts(ours) == _parts(django)
    assert parsedate_to_datetime(ours["Date"]) == pytest.approx(
        parsedate_to_datetime(django["Date"]), abs=dt.timedelta(seconds=5)
    )
    assert max(len(line) for line in fast.split(b"\r\n")) <= 998


def test_a_message_id_is_made_when_none_is_given() -> None:
    message = EmailMessage("Hi", "Hello", "care@clinic.local", ["a@b.test"])
    first, second = (_read(mail_speed.smtp_bytes(message) or b"") for _ in range(2))
    assert first["Message-ID"].startswith("<")
    assert first["Message-ID"].endswith(">")
    assert first["Message-ID"] != second["Message-ID"]


def test_shapes_it_does_not_write_are_left_to_django() -> None:
    long_line = _reminder(body="x" * 999)
    mime_object = _reminder()
    mime_object.attach(MIMEBase("application", "octet-stream"))
    foreign_header = _reminder(headers={"X-Note": "Примечание"})
    latin = _reminder()
    latin.encoding = "latin-1"
    for message in (long_line, mime_object, foreign_header, latin):
        assert mail_speed.smtp_bytes(message) is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"subject": "Hi\nBcc: victim@example.test"},
        {"to": ["a@b.test\r\nBcc: victim@example.test"]},
        {"headers": {"X-Note": "one\ntwo"}},
    ],
)
def test_a_header_with_a_line_break_is_refused_as_django_refuses_it(overrides: dict) -> None:
    with pytest.raises(BadHeaderError):
        mail_speed.smtp_bytes(_reminder(**overrides))
    with pytest.raises(BadHeaderError):
        _reminder(**overrides).message()


@pytest.fixture
def sink():
    started = SmtpSink().start()
    yield started
    started.stop()


def test_the_smtp_backend_sends_what_it_wrote_and_falls_back_to_django(sink, settings) -> None:
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    received: list[bytes] = []
    original = smtplib.SMTP.sendmail

    def sendmail(self: smtplib.SMTP, sender: str, to: list[str], content: bytes) -> Any:
        received.append(content)
        return original(self, sender, to, content)

    fast, long_line = _shapes()["with a calendar file and a PDF"], _reminder(body="x" * 999)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(smtplib.SMTP, "sendmail", sendmail)
        connection = get_connection("clinic.mail.SmtpBackend")
        assert isinstance(connection, SmtpBackend)
        assert connection.send_messages([fast, long_line]) == 2
    assert sink.total == 2
    assert _parts(_read(received[0])) == _parts(_read(fast.message().as_bytes(linesep="\r\n")))
    # Django wrote the one with the long line (quoted-printable), and it arrived whole.
    assert _read(received[1]).get_body(("plain",)).get_content() == "x" * 999
