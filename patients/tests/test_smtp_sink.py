"""The test SMTP sink counts messages by the Message-ID of their header block."""

from patients.tests.smtp_sink import message_id_of


def test_the_message_id_is_read_from_the_header_block_only():
    raw = b"Subject: x\r\nTo: a@example.test\r\n\r\nMessage-ID: <in-the-body@example.test>\r\n"
    assert message_id_of(raw) == ""
    assert message_id_of(b"Message-ID: <a@example.test>\r\n\r\nbody") == "<a@example.test>"


def test_a_folded_or_lower_case_header_is_read_whole():
    folded = b"Subject: x\r\nMessage-ID:\r\n <long.id@clinic.example.test>\r\nTo: a\r\n\r\nbody"
    assert message_id_of(folded) == "<long.id@clinic.example.test>"
    assert message_id_of(b"message-id: <b@example.test>  \nTo: a\n\nbody") == "<b@example.test>"
