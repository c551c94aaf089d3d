"""The intake: form validation, immutable versions, renewal, expiry, the
practitioner's confirmation or correction, and the screened catalogue."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from clinic.models import User
from patients.models import AuditEntry, ImmutableRowError, IntakeVersion
from patients.records import selectors, services
from patients.records.forms import NO, YES, IntakeForm
from patients.tests.factories import give_baseline_intake, give_done_session, intake_form_data
from procedures.errors import DomainError
from procedures.intake import ANSWER_SCHEMA_VERSION, QUESTIONS

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def pinned_time() -> Any:
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, 0, tzinfo=MOSCOW), tick=False) as t:
        yield t


def test_the_form_asks_every_question_with_its_help_text(client: Client, patient: User) -> None:
    client.force_login(patient)
    html = client.get(reverse("patients:intake")).content.decode()
    for question in QUESTIONS.values():
        assert f'name="{question.key}"' in html, question.key
        help_text = str(question.help_text)
        assert help_text in html or escape(help_text) in html, question.key
    assert 'data-show-key="sex"' in html  # the pregnancy group, hidden by intake.js for others
    assert 'data-show-key="isotretinoin"' in html
    assert "js/intake.js" in html


def test_submitting_the_form_stores_a_version_and_shows_the_screened_catalogue(
    client: Client, patient: User
) -> None:
    client.force_login(patient)
    response = client.post(reverse("patients:intake"), intake_form_data(on=TODAY))
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:screening")
    version = IntakeVersion.objects.get(patient=patient.patient_profile)
    assert version.number == 1
    assert version.source == IntakeVersion.Source.PATIENT
    assert version.submitted_by == patient
    assert version.schema_version == ANSWER_SCHEMA_VERSION
    assert version.answers["scar_types"] == ["rolling"]
    assert version.answers["date_of_birth"] == "1996-03-10"
    html = client.get(response["Location"]).content.decode()
    assert "Glycolic acid peel" in html
    assert "Suitable" in html


def test_a_future_date_is_refused_and_the_typed_answers_are_kept(
    client: Client, patient: User
) -> None:
    client.force_login(patient)
    data = intake_form_data(
        on=TODAY,
        topical_retinoid_last_used="2026-04-01",
        blood_thinners=YES,
        blood_thinners_which="aspirin",
    )
    response = client.post(reverse("patients:intake"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "in the future" in str(form.errors["topical_retinoid_last_used"])
    html = response.content.decode()
    assert 'value="aspirin"' in html
    assert 'value="2026-04-01"' in html
    assert not IntakeVersion.objects.exists()


def test_stopped_isotretinoin_needs_the_stop_date(client: Client, patient: User) -> None:
    client.force_login(patient)
    response = client.post(
        reverse("patients:intake"), intake_form_data(on=TODAY, isotretinoin="stopped")
    )
    assert "date of the last dose" in str(
        response.context["form"].errors["isotretinoin_stopped_on"]
    )
    response = client.post(
        reverse("patients:intake"),
        intake_form_data(on=TODAY, isotretinoin="stopped", isotretinoin_stopped_on="2025-12-01"),
    )
    assert response.status_code == 302
    answers = selectors.latest_intake(patient.patient_profile).answers
    assert answers["isotretinoin_stopped_on"] == "2025-12-01"


def test_a_done_skin_test_needs_the_date_it_was_read(client: Client, patient: User) -> None:
    client.force_login(patient)
    response = client.post(
        reverse("patients:intake"), intake_form_data(on=TODAY, collagen_skin_test="negative")
    )
    assert "skin test was read" in str(
        response.context["form"].errors["collagen_skin_test_read_on"]
    )


def test_follow_up_dates_that_do_not_apply_are_dropped(patient: User) -> None:
    form = IntakeForm(
        intake_form_data(on=TODAY, isotretinoin="never", isotretinoin_stopped_on="2025-01-01")
    )
    assert form.is_valid(), form.errors
    assert "isotretinoin_stopped_on" not in form.answers()


def test_an_unanswered_health_question_is_an_error_not_a_no(patient: User) -> None:
    data = intake_form_data(on=TODAY)
    del data["diabetes"]
    form = IntakeForm(data)
    assert not form.is_valid()
    assert "diabetes" in form.errors


def test_the_pregnancy_group_is_required_of_female_patients(patient: User) -> None:
    data = intake_form_data(on=TODAY)
    del data["pregnant"]
    form = IntakeForm(data)
    assert not form.is_valid()
    assert "pregnant" in form.errors


def test_the_pregnancy_group_is_ignored_for_male_patients(client: Client, patient: User) -> None:
    client.force_login(patient)
    data = intake_form_data(on=TODAY, sex="male", pregnant="yes", breastfeeding=YES)
    del data["menstruating"]
    assert client.post(reverse("patients:intake"), data).status_code == 302
    answers = selectors.latest_intake(patient.patient_profile).answers
    assert answers["pregnant"] == "no"
    assert answers["breastfeeding"] is False
    assert answers["menstruating"] is False


def test_which_medicines_text_is_dropped_when_the_answer_is_no(patient: User) -> None:
    form = IntakeForm(intake_form_data(on=TODAY, blood_thinners=NO, blood_thinners_which="aspirin"))
    assert form.is_valid()
    assert form.answers()["blood_thinners_which"] == ""


def test_versions_are_immutable_and_numbered(patient: User) -> None:
    first = give_baseline_intake(patient)
    second = give_baseline_intake(patient, skin_type="oily")
    assert (first.number, second.number) == (1, 2)
    assert selectors.latest_intake(patient.patient_profile) == second
    first.reason = "edited"
    with pytest.raises(ImmutableRowError):
        first.save()
    with pytest.raises(ImmutableRowError):
        first.delete()
    first.refresh_from_db()
    assert first.answers["skin_type"] == "normal"


def test_screening_uses_the_latest_version(client: Client, patient: User) -> None:
    def glycolic_peel() -> Any:
        results = selectors.screened_catalogue(patient.patient_profile)
        return next(result for procedure, result in results if procedure.slug == "glycolic-peel")

    give_baseline_intake(patient)
    assert glycolic_peel().outcome == "ok"
    give_baseline_intake(patient, pregnant="yes")
    latest = glycolic_peel()
    assert latest.outcome != "ok"
    assert "PREGNANCY" in latest.blocking + latest.flags


def test_the_screened_catalogue_says_when_a_procedure_becomes_possible(
    client: Client, patient: User
) -> None:
    give_baseline_intake(
        patient,
        recent_facial_surgery=False,
        isotretinoin="stopped",
        isotretinoin_stopped_on=dt.date(2026, 1, 10),
    )
    give_done_session(patient)  # the consultation the laser needs: only waiting is left
    client.force_login(patient)
    html = client.get(reverse("patients:screening")).content.decode()
    assert "Not possible now" in html
    assert "It is possible from" in html


def test_the_screening_page_sends_a_patient_without_intake_to_the_form(
    client: Client, patient: User
) -> None:
    client.force_login(patient)
    response = client.get(reverse("patients:screening"))
    assert response["Location"] == reverse("patients:intake")


def test_an_intake_expires_after_twelve_months(patient: User, pinned_time: Any) -> None:
    version = give_baseline_intake(patient)
    profile = patient.patient_profile
    assert selectors.intake_expires_on(version) == dt.date(2027, 3, 10)
    assert selectors.current_intake_or_none(profile, on=dt.date(2027, 3, 9)) == version
    assert selectors.current_intake_or_none(profile, on=dt.date(2027, 3, 10)) is None
    pinned_time.move_to(dt.datetime(2027, 3, 10, 9, 0, tzinfo=MOSCOW))
    assert selectors.intake_status(profile) == "expired"
    assert selectors.intake_required(profile)
    with pytest.raises(DomainError) as caught:
        services.require_current_intake(profile)
    assert caught.value.code == "intake_expired"


def test_no_intake_is_intake_required(patient: User) -> None:
    with pytest.raises(DomainError) as caught:
        services.require_current_intake(patient.patient_profile)
    assert caught.value.code == "intake_required"


def test_nothing_changed_renews_in_one_click(
    client: Client, patient: User, pinned_time: Any
) -> None:
    first = give_baseline_intake(patient, skin_type="oily")
    pinned_time.move_to(dt.datetime(2027, 4, 1, 10, 0, tzinfo=MOSCOW))
    client.force_login(patient)
    dashboard = client.get(reverse("patients:dashboard")).content.decode()
    assert "Nothing changed" in dashboard
    response = client.post(reverse("patients:intake-renew"))
    assert response.status_code == 302
    renewed = selectors.latest_intake(patient.patient_profile)
    assert renewed.number == 2
    assert renewed.source == IntakeVersion.Source.RENEWAL
    assert renewed.answers == first.answers
    assert selectors.intake_expires_on(renewed) == dt.date(2028, 4, 1)
    assert selectors.intake_status(patient.patient_profile) == "current"


def test_renewal_needs_a_post(client: Client, patient: User) -> None:
    give_baseline_intake(patient)
    client.force_login(patient)
    assert client.get(reverse("patients:intake-renew")).status_code == 405


def test_practitioner_corrects_with_a_reason(patient: User, practitioner: User) -> None:
    first = give_baseline_intake(patient)
    profile = patient.patient_profile
    with pytest.raises(DomainError) as caught:
        services.review_clinical_answers(
            patient=profile,
            practitioner=practitioner,
            fitzpatrick="IV",
            scar_types=["rolling"],
            reason=" ",
        )
    assert caught.value.code == "reason_required"
    corrected = services.review_clinical_answers(
        patient=profile,
        practitioner=practitioner,
        fitzpatrick="IV",
        scar_types=["rolling", "icepick"],
        reason="Examined in daylight",
    )
    assert corrected.number == 2
    assert corrected.source == IntakeVersion.Source.PRACTITIONER_CORRECTION
    assert corrected.submitted_by == practitioner
    assert corrected.reason == "Examined in daylight"
    assert corrected.answers["fitzpatrick"] == "IV"
    assert corrected.answers["scar_types"] == ["icepick", "rolling"]
    assert corrected.clinician_confirmed
    # A practitioner's correction does not renew the patient's yearly review.
    assert corrected.patient_reviewed_at == first.patient_reviewed_at
    assert AuditEntry.objects.filter(
        actor=practitioner, action=AuditEntry.Action.CORRECT_INTAKE
    ).exists()


def test_practitioner_confirms_unchanged_answers_without_a_reason(
    patient: User, practitioner: User
) -> None:
    give_baseline_intake(patient)
    confirmed = services.review_clinical_answers(
        patient=patient.patient_profile,
        practitioner=practitioner,
        fitzpatrick="II",
        scar_types=["rolling"],
        reason="",
    )
    assert confirmed.source == IntakeVersion.Source.PRACTITIONER_CONFIRMATION
    assert confirmed.clinician_confirmed
    # The patient's next version keeps the confirmation while those answers stay the same...
    assert give_baseline_intake(patient, skin_type="dry").clinician_confirmed
    # ...and loses it when the patient changes them.
    assert not give_baseline_intake(patient, fitzpatrick="III").clinician_confirmed


def test_receptionist_cannot_correct(patient: User, receptionist: User) -> None:
    give_baseline_intake(patient)
    with pytest.raises(DomainError) as caught:
        services.review_clinical_answers(
            patient=patient.patient_profile,
            practitioner=receptionist,
            fitzpatrick="IV",
            scar_types=[],
            reason="x",
        )
    assert caught.value.code == "forbidden"


def test_the_staff_review_form(client: Client, patient: User, practitioner: User) -> None:
    give_baseline_intake(patient)
    client.force_login(practitioner)
    url = reverse("patients:staff-intake-review", args=[patient.patient_profile.pk])
    response = client.post(url, {"fitzpatrick": "V", "scar_types": ["rolling"], "reason": ""})
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    response = client.post(
        url, {"fitzpatrick": "V", "scar_types": ["rolling"], "reason": "Darker than stated"}
    )
    assert response.status_code == 302
    latest = selectors.latest_intake(patient.patient_profile)
    assert latest.answers["fitzpatrick"] == "V"
    assert latest.submitted_by == practitioner


def test_receptionist_cannot_post_a_review(
    client: Client, patient: User, receptionist: User
) -> None:
    give_baseline_intake(patient)
    client.force_login(receptionist)
    url = reverse("patients:staff-intake-review", args=[patient.patient_profile.pk])
    response = client.post(url, {"fitzpatrick": "V", "scar_types": [], "reason": "x"})
    assert response.status_code == 403
    assert selectors.latest_intake(patient.patient_profile).number == 1
