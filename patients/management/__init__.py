"""The demo clinic (`seed_demo`): it uses every sub-package, so it lives at the top."""
