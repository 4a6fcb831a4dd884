#include "core/queue.h"

#include <errno.h>
#include <stdlib.h>

#include "core/clock.h"

hasp_err bq_init(bqueue *q, size_t cap)
{
    q->items = calloc(cap ? cap : 1, sizeof(void *));
    if (!q->items)
        return HASP_ERR_NOMEM;
    q->cap = cap ? cap : 1;
    q->head = q->count = 0;
    q->closed = q->aborted = 0;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->changed, NULL);
    return HASP_OK;
}

void bq_destroy(bqueue *q, void (*free_item)(void *))
{
    if (!q->items)
        return;
    for (size_t i = 0; free_item && i < q->count; i++)
        free_item(q->items[(q->head + i) % q->cap]);
    free(q->items);
    q->items = NULL;
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->changed);
}

/* Wait, with q->lock held, until there is room or the queue is aborted. */
static void wait_room(bqueue *q)
{
    while (q->count == q->cap && !q->aborted)
        pthread_cond_wait(&q->changed, &q->lock);
}

hasp_err bq_wait_room(bqueue *q)
{
    pthread_mutex_lock(&q->lock);
    wait_room(q);
    hasp_err err = q->aborted ? HASP_ERR_ABORTED : HASP_OK;
    pthread_mutex_unlock(&q->lock);
    return err;
}

hasp_err bq_push(bqueue *q, void *item)
{
    pthread_mutex_lock(&q->lock);
    wait_room(q);
    hasp_err err = HASP_OK;
    if (q->aborted)
        err = HASP_ERR_ABORTED;
    else if (q->closed)
        err = HASP_ERR_STATE;
    else {
        q->items[(q->head + q->count) % q->cap] = item;
        q->count++;
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->lock);
    return err;
}

/* Wait, with q->lock held, until an item is there or the queue ended. */
static hasp_err wait_item(bqueue *q, double timeout_s)
{
    struct timespec deadline = clk_deadline(timeout_s);
    while (q->count == 0 && !q->closed && !q->aborted) {
        if (timeout_s == 0)
            return HASP_ERR_TIMEOUT;
        if (timeout_s < 0)
            pthread_cond_wait(&q->changed, &q->lock);
        else if (pthread_cond_timedwait(&q->changed, &q->lock, &deadline) == ETIMEDOUT)
            return HASP_ERR_TIMEOUT;
    }
    if (q->aborted)
        return HASP_ERR_ABORTED;
    return q->count ? HASP_OK : HASP_ERR_EOF;
}

hasp_err bq_pop(bqueue *q, void **item, double timeout_s)
{
    pthread_mutex_lock(&q->lock);
    hasp_err err = wait_item(q, timeout_s);
    if (err == HASP_OK) {
        *item = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->lock);
    return err;
}

hasp_err bq_peek_wait(bqueue *q, void **item, double timeout_s)
{
    pthread_mutex_lock(&q->lock);
    hasp_err err = wait_item(q, timeout_s);
    if (err == HASP_OK)
        *item = q->items[q->head];
    pthread_mutex_unlock(&q->lock);
    return err;
}

void *bq_peek(bqueue *q)
{
    pthread_mutex_lock(&q->lock);
    void *item = q->count ? q->items[q->head] : NULL;
    pthread_mutex_unlock(&q->lock);
    return item;
}

size_t bq_count(bqueue *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->count;
    pthread_mutex_unlock(&q->lock);
    return n;
}

int bq_finished(bqueue *q)
{
    pthread_mutex_lock(&q->lock);
    int done = q->closed && q->count == 0;
    pthread_mutex_unlock(&q->lock);
    return done;
}

static void set_flag(bqueue *q, int *flag)
{
    pthread_mutex_lock(&q->lock);
    *flag = 1;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
}

void bq_close(bqueue *q) { set_flag(q, &q->closed); }
void bq_abort(bqueue *q) { set_flag(q, &q->aborted); }
