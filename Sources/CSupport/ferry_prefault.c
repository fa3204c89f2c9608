// Mapping pages ahead of a reader on another core: a sequential reader of a memory-mapped file
// otherwise takes one page fault per 64 KiB on its own thread. The helper stays a bounded distance
// ahead of the reader (so memory stays flat) and is joined before the mapping goes away.
#include "ferry_support.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

struct ferry_prefault {
    const unsigned char *base;
    size_t length;
    size_t ahead;
    size_t consumed;
    size_t populated;
    int stop;
    pthread_mutex_t lock;
    pthread_cond_t moved;
    pthread_t thread;
};

static void *prefault_main(void *arg) {
    struct ferry_prefault *p = arg;
    const size_t step = 2u << 20;
    size_t page = 4096;
    pthread_mutex_lock(&p->lock);
    while (!p->stop && p->populated < p->length) {
        size_t target = p->consumed + p->ahead;
        if (target > p->length) target = p->length;
        if (p->populated >= target) {
            pthread_cond_wait(&p->moved, &p->lock);
            continue;
        }
        size_t from = p->populated;
        size_t len = target - from < step ? target - from : step;
        pthread_mutex_unlock(&p->lock);
        size_t aligned = from & ~(page - 1);
        if (madvise((void *)(p->base + aligned), len + (from - aligned), MADV_POPULATE_READ) != 0) {
            // Kernels before 5.14: touch one byte per page (safe: the mapping outlives this thread).
            volatile unsigned char sink = 0;
            for (size_t i = aligned; i < from + len; i += page) sink ^= p->base[i];
            (void)sink;
        }
        pthread_mutex_lock(&p->lock);
        p->populated = from + len;
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

ferry_prefault *ferry_prefault_start(const void *base, size_t length, size_t from, size_t ahead) {
    struct ferry_prefault *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->base = base;
    p->length = length;
    p->ahead = ahead;
    p->consumed = from;
    p->populated = from;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->moved, NULL);
    if (pthread_create(&p->thread, NULL, prefault_main, p) != 0) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->moved);
        free(p);
        return NULL;
    }
    return p;
}

void ferry_prefault_advance(ferry_prefault *p, size_t consumed) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->consumed = consumed;
    pthread_cond_signal(&p->moved);
    pthread_mutex_unlock(&p->lock);
}

void ferry_prefault_stop(ferry_prefault *p) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_signal(&p->moved);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->moved);
    free(p);
}
