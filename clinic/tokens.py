"""API tokens end with the password (issue #21): see clinic/authentication.py."""

from typing import Any

from django.apps import apps


def revoke_tokens_on_new_password(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Delete a user's API tokens when a new password is being saved (pre_save of the user).

    `set_password` keeps the new raw password in `_password` until the save; Django's
    own password-changed hook reads the same attribute. (The token model is looked up
    here, not imported: this module loads with the app, before the models.)
    """
    if instance.pk is not None and getattr(instance, "_password", None) is not None:
        apps.get_model("authtoken", "Token").objects.filter(user_id=instance.pk).delete()
