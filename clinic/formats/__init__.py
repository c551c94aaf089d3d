"""The project's date formats, where Django's own are not what a reader expects
(FORMAT_MODULE_PATH); every other format comes from Django's locale."""
