"""The standard photo views: how a session's photos are taken so two sessions compare.

Domain rules (issue #18, "photos that compare"):
- A view is data staff edit in the admin: a stable `slug`, a name and a one-line
  guide (distance, light, no make-up) in English and Russian (`name_en`/`name_ru`,
  `guide_en`/`guide_ru`, see translation.py), and its place in the list. The
  clinic starts with five (data migration): front, left and right oblique 45
  degrees, left and right profile; it adds more in the admin.
- A procedure lists the views its sessions use (`Procedure.photo_views`; none
  chosen means every view) and says whether its photos are required
  (`Procedure.photos_required`): a chart of it is signed only once the session
  has its before photos of those views (the gate lives with the session photos,
  `patients.records.outcomes.photos.gate`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .catalogue import Procedure

__all__ = ["PhotoView", "views_of"]


class PhotoView(models.Model):
    """One standard view of the face (front, left oblique 45 degrees, ...)."""

    if TYPE_CHECKING:
        # Added at run time by procedures/translation.py.
        objects: ClassVar[models.Manager[PhotoView]]
        name_en: str
        name_ru: str
        guide_en: str
        guide_ru: str

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    guide = models.CharField(
        _("guide"),
        max_length=200,
        help_text=_("One line for whoever takes the photo: distance, light, no make-up."),
    )
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ("display_order", "slug")
        verbose_name = _("photo view")
        verbose_name_plural = _("photo views")

    def __str__(self) -> str:
        return self.name or self.slug


def views_of(procedures: Iterable[Procedure], *, required_only: bool = False) -> list[PhotoView]:
    """The views a session of these procedures is photographed in, in the views' order.

    A procedure that chose no views uses every view; with `required_only`, only the
    procedures whose photos are required count. Prefetch `photo_views` to save queries.
    """
    chosen: dict[int, PhotoView] = {}
    every_view: list[PhotoView] | None = None
    for procedure in procedures:
        if required_only and not procedure.photos_required:
            continue
        views = list(procedure.photo_views.all())
        if not views:
            every_view = every_view if every_view is not None else list(PhotoView.objects.all())
            views = every_view
        chosen.update((view.pk, view) for view in views)
    return sorted(chosen.values(), key=lambda view: (view.display_order, view.slug))
