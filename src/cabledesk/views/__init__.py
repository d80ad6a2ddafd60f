"""The views stage: ways records leave the archive (exports now; web and API later)."""
