"""Translated catalogue columns (django-modeltranslation) and their models' history.

Staff write each text in English and Russian (`name_en`, `name_ru`, ...); a
page shows the active language and falls back to English when a Russian text
is empty. The history is registered here rather than with `HistoricalRecords()`
on the model: django-simple-history builds the historical model when it is
registered, and only after modeltranslation has added the `_en`/`_ru` columns
does that copy include them, so an edit of the Russian text is kept too.
"""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as register_history

from .models import CareInstruction, PhotoView, Procedure, WashoutGroup


@register(Procedure)
class ProcedureTranslationOptions(TranslationOptions):
    fields = ("name", "description", "downtime", "precare", "aftercare")
    required_languages = {"en": ("name", "description")}


@register(WashoutGroup)
class WashoutGroupTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = {"en": ("name",)}


@register(CareInstruction)
class CareInstructionTranslationOptions(TranslationOptions):
    fields = ("text",)
    required_languages = {"en": ("text",)}


@register(PhotoView)
class PhotoViewTranslationOptions(TranslationOptions):
    fields = ("name", "guide")
    required_languages = {"en": ("name", "guide")}


register_history(Procedure)
register_history(WashoutGroup)
