"""Admin for the clinic's people and resources."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponseBase
from django.urls import URLPattern, path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Closure, OpeningHours, Practitioner, Room, User, WorkingHours
from .roles import can_see_health_data
from .search import phone_matches


def _root(name: str) -> str:
    return name.split(LOOKUP_SEP, 1)[0]


class HealthAwareAdmin(admin.ModelAdmin):
    """An admin that filters only on what its list offers, and hides health fields by role.

    Django answers any lookup on a local field (`?screening_flags__icontains=HERPES`)
    with a filtered count, which turns the list into an oracle for whatever the page
    hides. Here a lookup is allowed only on the fields the role's list filters and
    date hierarchy offer (anything else is a 400); the `health_fields` (what is
    derived from the intake, clinical notes) are left out of the change page, the
    columns, the filters, the search and the allowed lookups of anyone who may not
    read health data (receptionists: they see that a booking was flagged, never why).
    """

    health_fields: tuple[str, ...] = ()

    def _hides_health(self, request: HttpRequest | None) -> bool:
        return request is None or not can_see_health_data(request.user)

    def _without_health(self, request: HttpRequest | None, names: Any) -> list[Any]:
        if not self._hides_health(request):
            return list(names)
        hidden = set(self.health_fields)
        kept = []
        for name in names:
            first = name[0] if isinstance(name, list | tuple) else name
            if isinstance(first, str) and _root(first) in hidden:
                continue
            kept.append(name)
        return kept

    def allowed_lookup_roots(self, request: HttpRequest | None) -> set[str]:
        """The fields a URL may filter on: the list filters and the date hierarchy."""
        roots = {_root(self.date_hierarchy)} if self.date_hierarchy else set()
        filters = self.get_list_filter(request) if request is not None else self.list_filter
        for item in filters:
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                roots.add(_root(item.parameter_name or ""))
            elif isinstance(item, list | tuple):
                roots.add(_root(str(item[0])))
            else:
                roots.add(_root(str(item)))
        return roots

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        root = _root(lookup)
        if self._hides_health(request) and root in self.health_fields:
            return False
        if root not in self.allowed_lookup_roots(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_list_display(self, request: HttpRequest) -> Any:
        return self._without_health(request, super().get_list_display(request))

    def get_list_filter(self, request: HttpRequest) -> Any:
        return self._without_health(request, super().get_list_filter(request))

    def get_search_fields(self, request: HttpRequest) -> Any:
        return self._without_health(request, super().get_search_fields(request))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self._without_health(request, super().get_fields(request, obj))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self._without_health(request, super().get_readonly_fields(request, obj))

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        exclude = list(super().get_exclude(request, obj) or ())
        if self._hides_health(request):
            exclude += [name for name in self.health_fields if name not in exclude]
        return exclude


class ReadOnlyAdmin(HealthAwareAdmin):
    """Rows written by services only: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PhoneSearchAdmin(HealthAwareAdmin):
    """Admin search that also finds a phone typed in any spelling (stored in E.164)."""

    phone_field = "phone"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        phone = phone_matches(self.phone_field, search_term)
        if phone is not None:
            results = results | queryset.filter(phone)
        return results, may_have_duplicates


def staff_path(route: str, view: Callable[..., HttpResponseBase], name: str) -> URLPattern:
    """A staff page under /admin/: the admin's login, look, CSRF and cache handling."""
    return path(route, admin.site.admin_view(view), name=name)


# The admin is the staff's workspace: it carries the clinic's name, not Django's.
admin.site.site_header = format_lazy("{} · {}", settings.CLINIC_NAME, _("staff workspace"))
admin.site.site_title = format_lazy("{} · {}", settings.CLINIC_NAME, _("staff"))
admin.site.index_title = _("Clinic administration")


@admin.register(User)
class UserAdmin(PhoneSearchAdmin, DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "phone", "is_staff", "is_active")
    search_fields = ("email", "first_name", "last_name", "phone")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "phone", "preferred_language")},
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class PractitionerForm(forms.ModelForm):
    """Roles as ticks rather than raw JSON; the colour with the browser's colour picker."""

    roles = forms.MultipleChoiceField(
        label=_("roles"),
        choices=Practitioner.Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Which procedures they may perform follows from these roles."),
    )

    class Meta:
        model = Practitioner
        fields = ("user", "roles", "extra_procedures", "excluded_procedures", "colour", "is_active")
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        extra = set(cleaned.get("extra_procedures") or ())
        excluded = set(cleaned.get("excluded_procedures") or ())
        both = extra & excluded
        if both:
            self.add_error(
                "excluded_procedures",
                _("A procedure cannot be both added and excluded: %(names)s.")
                % {"names": ", ".join(sorted(str(p) for p in both))},
            )
        return cleaned


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0
    fields = ("weekday", "start", "end", "valid_from", "valid_until")


class PractitionerClosureInline(admin.TabularInline):
    model = Closure
    fk_name = "practitioner"
    extra = 0
    fields = ("starts_on", "ends_on", "start_time", "end_time", "reason")
    verbose_name = _("day off or holiday")
    verbose_name_plural = _("days off and holidays")


class RoomClosureInline(admin.TabularInline):
    model = Closure
    fk_name = "room"
    extra = 0
    fields = ("starts_on", "ends_on", "start_time", "end_time", "reason")
    verbose_name = _("maintenance")
    verbose_name_plural = _("maintenance")


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return Practitioner.Role.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        role = self.value()
        if role not in Practitioner.Role.values:
            return queryset
        # Roles are a short JSON list; match the quoted value in its text form, which
        # works on SQLite and PostgreSQL alike.
        return queryset.filter(roles__icontains=f'"{role}"')


class PractitionerFilter(admin.RelatedFieldListFilter):
    """Filter by practitioner; their names come in the same query (else one query each)."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        ordering = self.field_admin_ordering(field, request, model_admin)
        practitioners = Practitioner.objects.select_related("user").order_by(*ordering)
        return [(practitioner.pk, str(practitioner)) for practitioner in practitioners]


@admin.register(Practitioner)
class PractitionerAdmin(SimpleHistoryAdmin):
    form = PractitionerForm
    list_display = ("__str__", "email", "role_list", "colour", "is_active")
    list_filter = ("is_active", RoleFilter)
    search_fields = ("user__first_name", "user__last_name", "user__email")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    filter_horizontal = ("extra_procedures", "excluded_procedures")
    inlines = (WorkingHoursInline, PractitionerClosureInline)

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def email(self, obj: Practitioner) -> str:
        return obj.user.email

    @admin.display(description=_("roles"))
    def role_list(self, obj: Practitioner) -> str:
        return obj.role_labels()


@admin.register(Room)
class RoomAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    inlines = (RoomClosureInline,)


@admin.register(WorkingHours)
class WorkingHoursAdmin(SimpleHistoryAdmin):
    list_display = ("practitioner", "weekday", "start", "end", "valid_from", "valid_until")
    list_filter = ("weekday", ("practitioner", PractitionerFilter))
    search_fields = ("practitioner__user__first_name", "practitioner__user__last_name")
    list_select_related = ("practitioner__user",)
    autocomplete_fields = ("practitioner",)


@admin.register(OpeningHours)
class OpeningHoursAdmin(SimpleHistoryAdmin):
    list_display = ("weekday", "opens", "closes")
    list_editable = ("opens", "closes")
    ordering = ("weekday",)


class ScopeFilter(admin.SimpleListFilter):
    title = _("applies to")
    parameter_name = "scope"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return Closure.Scope.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        scope = self.value()
        if scope == Closure.Scope.CLINIC:
            return queryset.filter(practitioner__isnull=True, room__isnull=True)
        if scope == Closure.Scope.PRACTITIONER:
            return queryset.filter(practitioner__isnull=False)
        if scope == Closure.Scope.ROOM:
            return queryset.filter(room__isnull=False)
        return queryset


@admin.register(Closure)
class ClosureAdmin(SimpleHistoryAdmin):
    list_display = ("target", "starts_on", "ends_on", "start_time", "end_time", "reason")
    list_filter = (ScopeFilter,)
    search_fields = (
        "reason",
        "practitioner__user__first_name",
        "practitioner__user__last_name",
        "room__name",
    )
    list_select_related = ("practitioner__user", "room")
    autocomplete_fields = ("practitioner", "room")
    date_hierarchy = "starts_on"
    fieldsets = (
        (
            _("Who or what is closed"),
            {
                "fields": ("practitioner", "room"),
                "description": _("Leave both empty to close the whole clinic."),
            },
        ),
        (None, {"fields": ("starts_on", "ends_on", "start_time", "end_time", "reason")}),
    )

    @admin.display(description=_("applies to"))
    def target(self, obj: Closure) -> str:
        return obj.target_label()
