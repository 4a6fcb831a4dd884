/*
 * A bounded blocking FIFO of pointers: how threads hand work to each other.
 * A producer closes it when done (consumers drain, then see HASP_ERR_EOF);
 * anyone may abort it (both sides return HASP_ERR_ABORTED at once).
 */
#ifndef HASP_CORE_QUEUE_H
#define HASP_CORE_QUEUE_H

#include <pthread.h>
#include <stddef.h>

#include "hasp/hasp.h"

typedef struct bqueue {
    void **items;
    size_t cap, head, count;
    int closed, aborted;
    pthread_mutex_t lock;
    pthread_cond_t changed;
} bqueue;

hasp_err bq_init(bqueue *q, size_t cap);
/* Frees the queue and, with free_item, whatever it still holds. */
void bq_destroy(bqueue *q, void (*free_item)(void *));

/* Blocks while full. */
hasp_err bq_push(bqueue *q, void *item);
/* Blocks while full, without pushing: HASP_OK once there is room (for a
 * single producer, until it pushes), HASP_ERR_ABORTED once aborted. */
hasp_err bq_wait_room(bqueue *q);
/* timeout_s < 0 waits for ever, 0 does not wait: HASP_ERR_TIMEOUT when empty. */
hasp_err bq_pop(bqueue *q, void **item, double timeout_s);
/* As bq_pop, but the item stays in the queue. */
hasp_err bq_peek_wait(bqueue *q, void **item, double timeout_s);
/* The oldest item without removing it, or NULL; never blocks. */
void *bq_peek(bqueue *q);
size_t bq_count(bqueue *q);
/* 1 once closed and drained. */
int bq_finished(bqueue *q);

void bq_close(bqueue *q);
void bq_abort(bqueue *q);

#endif
