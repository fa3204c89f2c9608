// Async-signal-safe cleanup of temporary output files.
// An atomic output registers its temporary path here; on SIGINT/SIGTERM/SIGHUP the handler
// unlinks every registered path and re-raises the signal with its default action.
#ifndef FERRY_SUPPORT_H
#define FERRY_SUPPORT_H

#ifdef __cplusplus
extern "C" {
#endif

/// Registers a path; returns a slot number (>= 0) or -1 when the table is full or the path too long.
int ferry_tmp_register(const char *path);
/// Forgets a slot (after rename or unlink by the owner).
void ferry_tmp_unregister(int slot);
/// Installs the handlers once (idempotent).
void ferry_install_cleanup_handlers(void);
/// Unlinks every registered path now (used at exit paths).
void ferry_tmp_cleanup_all(void);

#ifdef __cplusplus
}
#endif
#endif
