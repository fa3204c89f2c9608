#include "ferry_support.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#define SLOTS 256
#define PATH_CAP 4096

static char paths[SLOTS][PATH_CAP];
static atomic_int used[SLOTS];
static atomic_int installed;

int ferry_tmp_register(const char *path) {
    size_t n = strlen(path);
    if (n >= PATH_CAP) return -1;
    for (int i = 0; i < SLOTS; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&used[i], &expected, 2)) {  // 2 = being written
            memcpy(paths[i], path, n + 1);
            atomic_store(&used[i], 1);
            return i;
        }
    }
    return -1;
}

void ferry_tmp_unregister(int slot) {
    if (slot >= 0 && slot < SLOTS) atomic_store(&used[slot], 0);
}

void ferry_tmp_cleanup_all(void) {
    for (int i = 0; i < SLOTS; i++) {
        if (atomic_load(&used[i]) == 1) {
            unlink(paths[i]);
            atomic_store(&used[i], 0);
        }
    }
}

static void handler(int sig) {
    ferry_tmp_cleanup_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

void ferry_install_cleanup_handlers(void) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&installed, &expected, 1)) return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
}
